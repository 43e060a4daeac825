-- WordPress's users tables (wp-admin/includes/schema.php).
CREATE TABLE wp_users (
  ID BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_login VARCHAR(60) NOT NULL DEFAULT '',
  user_pass VARCHAR(255) NOT NULL DEFAULT '',
  user_nicename VARCHAR(50) NOT NULL DEFAULT '',
  user_email VARCHAR(100) NOT NULL DEFAULT '',
  user_url VARCHAR(100) NOT NULL DEFAULT '',
  user_registered DATETIME NOT NULL DEFAULT '2000-01-01 00:00:00',
  user_activation_key VARCHAR(255) NOT NULL DEFAULT '',
  user_status INT NOT NULL DEFAULT 0,
  display_name VARCHAR(250) NOT NULL DEFAULT '',
  KEY user_login_key (user_login),
  KEY user_email (user_email)
);
CREATE TABLE wp_usermeta (
  umeta_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
  meta_key VARCHAR(255) DEFAULT NULL,
  meta_value LONGTEXT,
  KEY user_id (user_id)
);
-- admin: a WordPress 6.8 $wp$ hash of "Na101918!"; editor and old: the
-- Openwall phpass hash of "test12345".
INSERT INTO wp_users (ID, user_login, user_pass, user_email, display_name) VALUES
  (1, 'admin', '$wp$2y$10$y6/UfA/WhvVLZK6RxBSJE./L6YpJN8ChGg15a0Pqry/bTGsDuMR1q', 'admin@example.com', 'admin'),
  (2, 'editor', '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0', 'editor@example.com', 'editor'),
  (3, 'oldadmin', '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0', 'old@example.com', 'old admin');
INSERT INTO wp_usermeta (user_id, meta_key, meta_value) VALUES
  (1, 'wp_capabilities', 'a:1:{s:13:"administrator";b:1;}'), (1, 'wp_user_level', '10'),
  (2, 'wp_capabilities', 'a:1:{s:6:"editor";b:1;}'), (2, 'nickname', 'administrator'),
  (3, 'wp_capabilities', 'a:1:{s:13:"administrator";b:1;}');
