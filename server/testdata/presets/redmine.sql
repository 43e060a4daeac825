-- Redmine's users table (db/migrate/001_setup.rb and later migrations).
CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(255) NOT NULL DEFAULT '',
  hashed_password VARCHAR(40) NOT NULL DEFAULT '',
  firstname VARCHAR(30) NOT NULL DEFAULT '',
  lastname VARCHAR(255) NOT NULL DEFAULT '',
  admin TINYINT(1) NOT NULL DEFAULT 0,
  status INT NOT NULL DEFAULT 1,
  last_login_on DATETIME DEFAULT NULL,
  language VARCHAR(5) DEFAULT '',
  auth_source_id INT DEFAULT NULL,
  created_on TIMESTAMP NULL DEFAULT NULL,
  updated_on TIMESTAMP NULL DEFAULT NULL,
  type VARCHAR(255) DEFAULT NULL,
  mail_notification VARCHAR(255) NOT NULL DEFAULT '',
  salt VARCHAR(64) DEFAULT NULL,
  must_change_passwd TINYINT(1) NOT NULL DEFAULT 0,
  passwd_changed_on DATETIME DEFAULT NULL,
  twofa_scheme VARCHAR(255) DEFAULT NULL,
  KEY index_users_on_id_and_type (id, type)
);
-- Rows of redmine's test/fixtures/users.yml: admin (password admin),
-- jsmith (jsmith), a locked admin, the anonymous user and a group.
INSERT INTO users (id, login, hashed_password, firstname, lastname, admin, status, type, salt) VALUES
  (1, 'admin', 'b5b6ff9543bf1387374cdfa27a54c96d236a7150', 'redMine', 'Admin', 1, 1, 'User', '82090c953c4a0000a7db253b0691a6b4'),
  (2, 'jsmith', 'bfbe06043353a677d0215b26a5800d128d5413bc', 'John', 'Smith', 0, 1, 'User', '67eb4732624d5a7753dcea7ce0bb7d7d'),
  (5, 'lockedadmin', 'b5b6ff9543bf1387374cdfa27a54c96d236a7150', 'Dave2', 'Lopper2', 1, 3, 'User', '82090c953c4a0000a7db253b0691a6b4'),
  (6, '', '', '', 'Anonymous', 0, 0, 'AnonymousUser', NULL),
  (10, 'ateam', 'b5b6ff9543bf1387374cdfa27a54c96d236a7150', '', 'A Team', 1, 1, 'Group', '82090c953c4a0000a7db253b0691a6b4');
