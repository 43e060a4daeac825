-- Drupal 10's user entity tables (core/modules/user: the users base table,
-- users_field_data and the user__roles field table).
CREATE TABLE users (
  uid INT UNSIGNED NOT NULL PRIMARY KEY,
  uuid VARCHAR(128) NOT NULL,
  langcode VARCHAR(12) NOT NULL
);
CREATE TABLE users_field_data (
  uid INT UNSIGNED NOT NULL,
  langcode VARCHAR(12) NOT NULL,
  preferred_langcode VARCHAR(12) DEFAULT NULL,
  preferred_admin_langcode VARCHAR(12) DEFAULT NULL,
  name VARCHAR(60) NOT NULL,
  pass VARCHAR(255) DEFAULT NULL,
  mail VARCHAR(254) DEFAULT NULL,
  timezone VARCHAR(32) DEFAULT NULL,
  status TINYINT DEFAULT NULL,
  created INT NOT NULL,
  changed INT DEFAULT NULL,
  access INT NOT NULL,
  login INT DEFAULT NULL,
  init VARCHAR(254) DEFAULT NULL,
  default_langcode TINYINT NOT NULL,
  PRIMARY KEY (uid, langcode),
  UNIQUE KEY user__name (name, langcode)
);
CREATE TABLE user__roles (
  bundle VARCHAR(128) NOT NULL DEFAULT '',
  deleted TINYINT NOT NULL DEFAULT 0,
  entity_id INT UNSIGNED NOT NULL,
  revision_id INT UNSIGNED NOT NULL,
  langcode VARCHAR(32) NOT NULL DEFAULT '',
  delta INT UNSIGNED NOT NULL,
  roles_target_id VARCHAR(255) NOT NULL,
  PRIMARY KEY (entity_id, deleted, delta, langcode)
);
INSERT INTO users VALUES (0, 'u0', 'en'), (1, 'u1', 'en'), (2, 'u2', 'en'), (3, 'u3', 'en');
INSERT INTO users_field_data (uid, langcode, name, pass, mail, status, created, access, default_langcode) VALUES
  (0, 'en', '', NULL, NULL, 0, 0, 0, 1),
  (1, 'en', 'admin', '{BCRYPT}', 'admin@example.com', 1, 0, 0, 1),
  (2, 'en', 'blocked', '{BCRYPT}', 'b@example.com', 0, 0, 0, 1),
  (3, 'en', 'editor', '{BCRYPT}', 'e@example.com', 1, 0, 0, 1);
INSERT INTO user__roles VALUES ('user', 0, 1, 1, 'en', 0, 'administrator'), ('user', 0, 2, 2, 'en', 0, 'administrator'),
  ('user', 0, 3, 3, 'en', 0, 'content_editor');
