-- Every MySQL type with its edge values, a production trigger that would
-- rewrite rows on insert, and views (one on another, one that cannot be
-- recreated because its table is excluded).
SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';

CREATE TABLE zoo (
  id      INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  u_big   BIGINT UNSIGNED NULL,
  s_big   BIGINT NULL,
  tiny    TINYINT NULL,
  dec65   DECIMAL(65,30) NULL,
  f       FLOAT NULL,
  f72     FLOAT(7,2) NULL,
  d       DOUBLE NULL,
  b64     BIT(64) NULL,
  b3      BIT(3) NULL,
  dt6     DATETIME(6) NULL,
  dz      DATETIME NULL,
  d0      DATE NULL,
  ts      TIMESTAMP(6) NULL DEFAULT NULL,
  tm      TIME(6) NULL,
  yr      YEAR NULL,
  bin8    BINARY(8) NULL,
  vbin    VARBINARY(64) NULL,
  bl      BLOB NULL,
  e       ENUM('a,b', 'c', 'x''y') NULL,
  st      SET('p', 'q', 'r') NULL,
  j       JSON NULL,
  g       GEOMETRY NULL,
  pt      POINT NULL,
  l1      VARCHAR(32) CHARACTER SET latin1 NULL,
  txt     TEXT NULL,
  ch      CHAR(5) NULL,
  vcol    INT AS (tiny * 2) VIRTUAL,
  created_at DATETIME NULL,
  KEY by_created (created_at),
  UNIQUE KEY by_sbig (s_big)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO zoo (u_big, s_big, tiny, dec65, f, f72, d, b64, b3, dt6, dz, d0, ts, tm, yr, bin8, vbin, bl, e, st, j, g, pt, l1, txt, ch, created_at) VALUES
 (18446744073709551615, -9223372036854775808, -128, '99999999999999999999999999999999999.999999999999999999999999999999',
  3.40282e38, 12345.67, 1.7976931348623157e308, b'1111111111111111111111111111111111111111111111111111111111111111', b'111',
  '9999-12-31 23:59:59.999999', '0000-00-00 00:00:00', '0000-00-00', '2038-01-19 03:14:07.999999', '-838:59:59.000000', 2155,
  x'000D0A22275C0900', x'00', x'5C4E0D0A090022275C', 'a,b', 'p,r', '{"emoji": "😀🍣", "n": 1.5e300, "s": "tab\\there"}',
  ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,3 2,3 3,2 2))'), ST_GeomFromText('POINT(139.6917 35.6895)'),
  'café naïve', 'line1\nline2\r\n\ttab \\ backslash \\N', 'a', '2001-02-03 04:05:06'),
 (0, 9223372036854775807, 127, '-99999999999999999999999999999999999.999999999999999999999999999999',
  -1.17549e-38, -0.01, 4.9e-324, b'0', b'0',
  '1000-01-01 00:00:00.000001', '2020-02-29 12:00:00', '1000-01-01', '1970-01-01 00:00:01.000000', '838:59:59.999999', 1901,
  x'FFFFFFFFFFFFFFFF', x'', x'', 'x''y', '', '[]',
  ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))'), ST_GeomFromText('POINT(0 0)'),
  '', '', '', NULL),
 (1, 0, 0, '0.000000000000000000000000000001', 16777217, 0, 0.1, b'1010', b'101',
  '2024-02-29 23:59:59.500000', NULL, '2024-02-29', NULL, '-00:00:00.000001', 0, NULL, NULL, NULL, 'c', 'q', 'null',
  NULL, NULL, NULL, 'NULL', '\\N', NULL),
 (NULL, NULL, NULL, NULL, 0.333333343267, 1.5, 0.30000000000000004, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, '日本語テキスト', '〜—♥𠮷😀', NULL);

-- A trigger that would rewrite every copied row if it existed in the slot.
CREATE TRIGGER zoo_stamp BEFORE INSERT ON zoo FOR EACH ROW SET NEW.created_at = NOW(), NEW.txt = 'rewritten by trigger';

-- A foreign key to another table's UNIQUE KEY: the key must exist before
-- the constraint is added in the slot.
CREATE TABLE codes (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL, UNIQUE KEY code (code));
CREATE TABLE refs (id INT PRIMARY KEY, code VARCHAR(10),
  CONSTRAINT refs_code FOREIGN KEY (code) REFERENCES codes (code) ON DELETE CASCADE);
INSERT INTO codes VALUES (1, 'A'), (2, 'B');
INSERT INTO refs VALUES (1, 'A'), (2, NULL);

CREATE TABLE excluded_table (id INT PRIMARY KEY);
CREATE TABLE no_pk (a INT, b VARCHAR(10));
INSERT INTO no_pk VALUES (1, 'dup'), (1, 'dup'), (NULL, NULL);

CREATE VIEW zoo_names AS SELECT id, txt FROM zoo WHERE txt IS NOT NULL;
CREATE VIEW zoo_names_count AS SELECT COUNT(*) AS n FROM zoo_names;
CREATE VIEW uses_excluded AS SELECT id FROM excluded_table;
CREATE PROCEDURE zoo_proc() SELECT COUNT(*) FROM zoo;
