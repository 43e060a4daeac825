-- Laravel's users table (database/migrations/0001_01_01_000000_create_users_table.php)
-- and spatie/laravel-permission's roles and model_has_roles.
CREATE TABLE users (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  email VARCHAR(255) NOT NULL UNIQUE,
  email_verified_at TIMESTAMP NULL DEFAULT NULL,
  password VARCHAR(255) NOT NULL,
  remember_token VARCHAR(100) DEFAULT NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  updated_at TIMESTAMP NULL DEFAULT NULL
);
CREATE TABLE roles (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  guard_name VARCHAR(255) NOT NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  updated_at TIMESTAMP NULL DEFAULT NULL,
  UNIQUE KEY roles_name_guard_name_unique (name, guard_name)
);
CREATE TABLE model_has_roles (
  role_id BIGINT UNSIGNED NOT NULL,
  model_type VARCHAR(255) NOT NULL,
  model_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (role_id, model_id, model_type)
);
INSERT INTO users (id, name, email, password) VALUES
  (1, 'Admin', 'admin@example.com', '{BCRYPT}'), (2, 'Writer', 'writer@example.com', '{BCRYPT}');
INSERT INTO roles (id, name, guard_name) VALUES (1, 'admin', 'web'), (2, 'writer', 'web');
INSERT INTO model_has_roles VALUES (1, 'App\\Models\\User', 1), (2, 'App\\Models\\User', 2), (1, 'App\\Models\\Team', 2);
