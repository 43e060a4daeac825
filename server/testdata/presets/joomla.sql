-- Joomla's users tables (installation/sql/mysql/base.sql), #__ as jos_.
CREATE TABLE jos_users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(400) NOT NULL DEFAULT '',
  username VARCHAR(150) NOT NULL DEFAULT '',
  email VARCHAR(100) NOT NULL DEFAULT '',
  password VARCHAR(100) NOT NULL DEFAULT '',
  block TINYINT NOT NULL DEFAULT 0,
  sendEmail TINYINT DEFAULT 0,
  registerDate DATETIME NOT NULL DEFAULT '2020-01-01 00:00:00',
  lastvisitDate DATETIME DEFAULT NULL,
  activation VARCHAR(100) NOT NULL DEFAULT '',
  params TEXT,
  lastResetTime DATETIME DEFAULT NULL,
  resetCount INT NOT NULL DEFAULT 0,
  otpKey VARCHAR(1000) NOT NULL DEFAULT '',
  otep VARCHAR(1000) NOT NULL DEFAULT '',
  requireReset TINYINT NOT NULL DEFAULT 0,
  authProvider VARCHAR(100) NOT NULL DEFAULT '',
  UNIQUE KEY idx_username (username)
);
CREATE TABLE jos_usergroups (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  parent_id INT UNSIGNED NOT NULL DEFAULT 0,
  lft INT NOT NULL DEFAULT 0,
  rgt INT NOT NULL DEFAULT 0,
  title VARCHAR(100) NOT NULL DEFAULT ''
);
CREATE TABLE jos_user_usergroup_map (
  user_id INT UNSIGNED NOT NULL DEFAULT 0,
  group_id INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, group_id)
);
INSERT INTO jos_usergroups (id, parent_id, lft, rgt, title) VALUES (1, 0, 1, 22, 'Public'), (2, 1, 8, 19, 'Registered'),
  (6, 1, 2, 7, 'Manager'), (7, 6, 3, 6, 'Administrator'), (8, 1, 20, 21, 'Super Users');
INSERT INTO jos_users (id, name, username, email, password, block) VALUES
  (42, 'Super User', 'admin', 'admin@example.com', '{BCRYPT}', 0),
  (43, 'Manager', 'manager', 'm@example.com', '{BCRYPT}', 0),
  (44, 'Blocked', 'blocked', 'b@example.com', '{BCRYPT}', 1);
INSERT INTO jos_user_usergroup_map VALUES (42, 8), (43, 6), (43, 7), (44, 8);
