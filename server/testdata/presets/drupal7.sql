-- Drupal 7's user module tables (modules/user/user.install).
CREATE TABLE users (
  uid INT UNSIGNED NOT NULL DEFAULT 0 PRIMARY KEY,
  name VARCHAR(60) NOT NULL DEFAULT '',
  pass VARCHAR(128) NOT NULL DEFAULT '',
  mail VARCHAR(254) DEFAULT '',
  theme VARCHAR(255) NOT NULL DEFAULT '',
  signature VARCHAR(255) NOT NULL DEFAULT '',
  signature_format VARCHAR(255) DEFAULT NULL,
  created INT NOT NULL DEFAULT 0,
  access INT NOT NULL DEFAULT 0,
  login INT NOT NULL DEFAULT 0,
  status TINYINT NOT NULL DEFAULT 0,
  timezone VARCHAR(32) DEFAULT NULL,
  language VARCHAR(12) NOT NULL DEFAULT '',
  picture INT NOT NULL DEFAULT 0,
  init VARCHAR(254) DEFAULT '',
  data LONGBLOB,
  UNIQUE KEY name (name)
);
CREATE TABLE role (
  rid INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL DEFAULT '',
  weight INT NOT NULL DEFAULT 0,
  UNIQUE KEY name (name)
);
CREATE TABLE users_roles (
  uid INT UNSIGNED NOT NULL DEFAULT 0,
  rid INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (uid, rid)
);
-- Passwords: "valid password" (drupal's PasswordVerifyTest vectors).
INSERT INTO users (uid, name, pass, mail, status) VALUES
  (0, '', '', '', 0),
  (1, 'admin', '$S$5TOxWPdvJRs0P/xZBdrrPlGgzViOS0drHu3jaIjitesfttrp18bk', 'admin@example.com', 1),
  (2, 'blocked', 'U$S$5vNHDQyLqCTvsYBLWBUWXJWhA0m3DTpBh04acFEOGB.bKBclhKgo', 'b@example.com', 0),
  (3, 'editor', 'U$S$5vNHDQyLqCTvsYBLWBUWXJWhA0m3DTpBh04acFEOGB.bKBclhKgo', 'e@example.com', 1),
  (4, 'migrated', 'U$S$5vNHDQyLqCTvsYBLWBUWXJWhA0m3DTpBh04acFEOGB.bKBclhKgo', 'm@example.com', 1);
INSERT INTO role (rid, name, weight) VALUES (1, 'anonymous user', 0), (2, 'authenticated user', 1), (3, 'administrator', 2), (4, 'editor', 3);
INSERT INTO users_roles (uid, rid) VALUES (1, 3), (2, 3), (3, 4), (4, 3);
