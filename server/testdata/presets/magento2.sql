-- Magento 2's admin users and roles (app/code/Magento/User/etc/db_schema.xml,
-- app/code/Magento/Authorization/etc/db_schema.xml).
CREATE TABLE admin_user (
  user_id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  firstname VARCHAR(32) DEFAULT NULL,
  lastname VARCHAR(32) DEFAULT NULL,
  email VARCHAR(128) DEFAULT NULL,
  username VARCHAR(40) DEFAULT NULL,
  password VARCHAR(255) NOT NULL,
  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  modified TIMESTAMP NULL DEFAULT NULL,
  logdate TIMESTAMP NULL DEFAULT NULL,
  lognum SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  reload_acl_flag SMALLINT NOT NULL DEFAULT 0,
  is_active SMALLINT NOT NULL DEFAULT 1,
  extra TEXT,
  rp_token TEXT,
  rp_token_created_at TIMESTAMP NULL DEFAULT NULL,
  interface_locale VARCHAR(16) NOT NULL DEFAULT 'en_US',
  failures_num SMALLINT DEFAULT 0,
  first_failure TIMESTAMP NULL DEFAULT NULL,
  lock_expires TIMESTAMP NULL DEFAULT NULL,
  UNIQUE KEY ADMIN_USER_USERNAME (username)
);
CREATE TABLE authorization_role (
  role_id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  parent_id INT UNSIGNED NOT NULL DEFAULT 0,
  tree_level SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  sort_order SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  role_type VARCHAR(1) NOT NULL DEFAULT '0',
  user_id INT UNSIGNED NOT NULL DEFAULT 0,
  user_type VARCHAR(16) DEFAULT NULL,
  role_name VARCHAR(50) DEFAULT NULL
);
-- Passwords: "password" (magento's EncryptorTest SHA-256 vector, salt "salt").
INSERT INTO admin_user (user_id, firstname, lastname, email, username, password, is_active) VALUES
  (1, 'Ad', 'Min', 'admin@example.com', 'admin', '13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322:salt:1', 1),
  (2, 'Sa', 'Les', 'sales@example.com', 'sales', '13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322:salt:1', 1),
  (3, 'In', 'Active', 'old@example.com', 'inactive', '67a1e09bb1f83f5007dc119c14d663aa:salt:0', 0);
INSERT INTO authorization_role (role_id, parent_id, tree_level, role_type, user_id, user_type, role_name) VALUES
  (1, 0, 1, 'G', 0, '2', 'Administrators'),
  (2, 0, 1, 'G', 0, '2', 'Sales'),
  (3, 1, 2, 'U', 1, '2', 'admin'),
  (4, 2, 2, 'U', 2, '2', 'sales'),
  (5, 1, 2, 'U', 3, '2', 'inactive');
