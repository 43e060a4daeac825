-- Devise's users table (its devise_create_users migration template) with
-- the usual admin flag.
CREATE TABLE users (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(255) NOT NULL DEFAULT '',
  encrypted_password VARCHAR(255) NOT NULL DEFAULT '',
  reset_password_token VARCHAR(255) DEFAULT NULL,
  reset_password_sent_at DATETIME(6) DEFAULT NULL,
  remember_created_at DATETIME(6) DEFAULT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  admin TINYINT(1) NOT NULL DEFAULT 0,
  UNIQUE KEY index_users_on_email (email)
);
INSERT INTO users (id, email, encrypted_password, created_at, updated_at, admin) VALUES
  (1, 'admin@example.com', '{BCRYPT}', NOW(), NOW(), 1), (2, 'user@example.com', '{BCRYPT}', NOW(), NOW(), 0);
