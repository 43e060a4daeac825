-- EC-CUBE 4's back-office members (src/Eccube/Entity/Member.php).
CREATE TABLE dtb_member (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  work_id SMALLINT UNSIGNED DEFAULT NULL,
  authority_id SMALLINT UNSIGNED DEFAULT NULL,
  creator_id INT UNSIGNED DEFAULT NULL,
  name VARCHAR(255) DEFAULT NULL,
  department VARCHAR(255) DEFAULT NULL,
  login_id VARCHAR(255) NOT NULL,
  password VARCHAR(255) NOT NULL,
  salt VARCHAR(255) DEFAULT NULL,
  sort_no SMALLINT UNSIGNED NOT NULL,
  two_factor_auth_key VARCHAR(255) DEFAULT NULL,
  two_factor_auth_enabled TINYINT(1) NOT NULL DEFAULT 0,
  create_date DATETIME NOT NULL DEFAULT '2020-01-01 00:00:00',
  update_date DATETIME NOT NULL DEFAULT '2020-01-01 00:00:00',
  login_date DATETIME DEFAULT NULL,
  discriminator_type VARCHAR(255) NOT NULL DEFAULT 'member'
);
-- work_id 1 稼働 (active), authority_id 0 システム管理者 (administrator),
-- 1 店舗オーナー (shop owner).
INSERT INTO dtb_member (id, work_id, authority_id, name, login_id, password, salt, sort_no) VALUES
  (1, 1, 0, '管理者', 'admin', '{ECCUBE}', 'salt1', 1),
  (2, 1, 1, 'オーナー', 'owner', '{ECCUBE}', 'salt1', 2),
  (3, 0, 0, '退職者', 'retired', '{ECCUBE}', 'salt1', 3),
  (4, 1, 0, '新管理者', 'admin43', '{BCRYPT}', NULL, 4);
