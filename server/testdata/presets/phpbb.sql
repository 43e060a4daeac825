-- phpBB 3's users and groups (phpbb/db/migration/data/v30x schema).
CREATE TABLE phpbb_users (
  user_id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_type TINYINT NOT NULL DEFAULT 0,
  group_id INT UNSIGNED NOT NULL DEFAULT 3,
  user_permissions MEDIUMTEXT,
  user_regdate INT UNSIGNED NOT NULL DEFAULT 0,
  username VARCHAR(255) NOT NULL DEFAULT '',
  username_clean VARCHAR(255) NOT NULL DEFAULT '',
  user_password VARCHAR(255) NOT NULL DEFAULT '',
  user_passchg INT UNSIGNED NOT NULL DEFAULT 0,
  user_email VARCHAR(100) NOT NULL DEFAULT '',
  user_lastvisit INT UNSIGNED NOT NULL DEFAULT 0,
  UNIQUE KEY username_clean (username_clean)
);
CREATE TABLE phpbb_groups (
  group_id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  group_type TINYINT NOT NULL DEFAULT 1,
  group_founder_manage TINYINT UNSIGNED NOT NULL DEFAULT 0,
  group_name VARCHAR(255) NOT NULL DEFAULT '',
  group_desc TEXT
);
CREATE TABLE phpbb_user_group (
  group_id INT UNSIGNED NOT NULL DEFAULT 0,
  user_id INT UNSIGNED NOT NULL DEFAULT 0,
  group_leader TINYINT UNSIGNED NOT NULL DEFAULT 0,
  user_pending TINYINT UNSIGNED NOT NULL DEFAULT 1
);
-- Passwords: "test1" (a phpBB 3.0 $H$ hash from passlib's phpass tests).
INSERT INTO phpbb_groups (group_id, group_type, group_name) VALUES (1, 3, 'GUESTS'), (2, 3, 'REGISTERED'),
  (4, 3, 'GLOBAL_MODERATORS'), (5, 3, 'ADMINISTRATORS'), (6, 3, 'BOTS');
INSERT INTO phpbb_users (user_id, user_type, group_id, username, username_clean, user_password, user_email) VALUES
  (2, 3, 5, 'Admin', 'admin', '$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00', 'admin@example.com'),
  (3, 0, 2, 'Member', 'member', '$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00', 'member@example.com'),
  (4, 1, 5, 'Inactive', 'inactive', '$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00', 'i@example.com'),
  (5, 0, 5, 'Pending', 'pending', '$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00', 'p@example.com');
INSERT INTO phpbb_user_group (group_id, user_id, group_leader, user_pending) VALUES
  (5, 2, 0, 0), (2, 2, 0, 0), (2, 3, 0, 0), (5, 4, 0, 0), (5, 5, 0, 1);
