-- The tables of Moodle's installer (lib/db/install.xml) that its login reads,
-- with the columns the login and the admin check use and a few more.
CREATE TABLE mdl_user (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  auth VARCHAR(20) NOT NULL DEFAULT 'manual',
  confirmed TINYINT(1) NOT NULL DEFAULT 0,
  policyagreed TINYINT(1) NOT NULL DEFAULT 0,
  deleted TINYINT(1) NOT NULL DEFAULT 0,
  suspended TINYINT(1) NOT NULL DEFAULT 0,
  mnethostid BIGINT NOT NULL DEFAULT 0,
  username VARCHAR(100) NOT NULL DEFAULT '',
  password VARCHAR(255) NOT NULL DEFAULT '',
  idnumber VARCHAR(255) NOT NULL DEFAULT '',
  firstname VARCHAR(100) NOT NULL DEFAULT '',
  lastname VARCHAR(100) NOT NULL DEFAULT '',
  email VARCHAR(100) NOT NULL DEFAULT '',
  lastlogin BIGINT NOT NULL DEFAULT 0,
  UNIQUE KEY mdl_user_mneuse_uix (mnethostid, username)
);
CREATE TABLE mdl_config (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(190) NOT NULL DEFAULT '',
  value LONGTEXT NOT NULL,
  UNIQUE KEY mdl_conf_nam_uix (name)
);
-- Passwords: pw2 (moodle's password_test.php vector) for everyone.
INSERT INTO mdl_user (id, auth, confirmed, deleted, suspended, mnethostid, username, password, email) VALUES
  (1, 'manual', 1, 0, 0, 1, 'guest', '$6$rounds=10000$0rDIzh/4.MMf9Dm8$Zrj6Ulc1JFj0RFXwMJFsngRSNGlqkPlV1wwRVv7wBLrMeQeMZrwsBO62zy63D//6R5sNGVYQwPB0K8jPCScxB/', 'root@localhost'),
  (12, 'manual', 1, 0, 0, 1, 'admin', '$6$rounds=10000$0rDIzh/4.MMf9Dm8$Zrj6Ulc1JFj0RFXwMJFsngRSNGlqkPlV1wwRVv7wBLrMeQeMZrwsBO62zy63D//6R5sNGVYQwPB0K8jPCScxB/', 'admin@example.com'),
  (2, 'manual', 1, 0, 0, 1, 'teacher', '$6$rounds=10000$0rDIzh/4.MMf9Dm8$Zrj6Ulc1JFj0RFXwMJFsngRSNGlqkPlV1wwRVv7wBLrMeQeMZrwsBO62zy63D//6R5sNGVYQwPB0K8jPCScxB/', 't@example.com'),
  (5, 'manual', 1, 0, 1, 1, 'suspended', '$6$rounds=10000$0rDIzh/4.MMf9Dm8$Zrj6Ulc1JFj0RFXwMJFsngRSNGlqkPlV1wwRVv7wBLrMeQeMZrwsBO62zy63D//6R5sNGVYQwPB0K8jPCScxB/', 's@example.com'),
  (6, 'manual', 1, 1, 0, 1, 'deleted', '$6$rounds=10000$0rDIzh/4.MMf9Dm8$Zrj6Ulc1JFj0RFXwMJFsngRSNGlqkPlV1wwRVv7wBLrMeQeMZrwsBO62zy63D//6R5sNGVYQwPB0K8jPCScxB/', 'd@example.com'),
  (7, 'nologin', 1, 0, 0, 1, 'nologin', '$6$rounds=10000$0rDIzh/4.MMf9Dm8$Zrj6Ulc1JFj0RFXwMJFsngRSNGlqkPlV1wwRVv7wBLrMeQeMZrwsBO62zy63D//6R5sNGVYQwPB0K8jPCScxB/', 'n@example.com');
-- Site admins 12, 5, 6 and 7: teacher (2) is not one, though "2" is inside "12".
INSERT INTO mdl_config (name, value) VALUES ('siteadmins', '12,5,6,7'), ('passwordpolicy', '1');
