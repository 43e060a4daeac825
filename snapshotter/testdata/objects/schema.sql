-- Every kind of object a production schema may hold, for "nothing is left
-- out silently": system-versioned tables with history (implicit and
-- explicit periods, partitioned by SYSTEM_TIME, and transaction-precise
-- versioning, whose history no server lets a copy set), a sequence that
-- has handed out values, a table whose name holds "/", an excluded table
-- and view, and the shapes that must keep copying identically:
-- partitioned, generated and invisible columns, FULLTEXT and SPATIAL keys,
-- MyISAM and Aria, a self-referencing foreign key, a Unicode name and a
-- 12 MB BLOB.
SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';

SET timestamp = 1700000000;
CREATE TABLE audit_v (
  id   INT NOT NULL PRIMARY KEY,
  note VARCHAR(40) NOT NULL
) ENGINE=InnoDB WITH SYSTEM VERSIONING;
INSERT INTO audit_v VALUES (1, 'created'), (2, 'second'), (3, 'doomed');
SET timestamp = 1700000100.250001;
UPDATE audit_v SET note = 'edited once' WHERE id = 1;
SET timestamp = 1700000200;
UPDATE audit_v SET note = 'edited twice' WHERE id = 1;
DELETE FROM audit_v WHERE id = 3;

SET timestamp = 1700000000;
CREATE TABLE prices_v (
  id    INT NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  valid_from TIMESTAMP(6) GENERATED ALWAYS AS ROW START INVISIBLE,
  valid_to   TIMESTAMP(6) GENERATED ALWAYS AS ROW END INVISIBLE,
  PERIOD FOR SYSTEM_TIME (valid_from, valid_to),
  PRIMARY KEY (id, valid_to),
  KEY price (price)
) ENGINE=InnoDB WITH SYSTEM VERSIONING;
INSERT INTO prices_v (id, price) VALUES (1, 10.00), (2, 20.00);
SET timestamp = 1700000300;
UPDATE prices_v SET price = 11.50 WHERE id = 1;

SET timestamp = 1700000000;
CREATE TABLE parted_v (
  id INT NOT NULL PRIMARY KEY,
  qty INT NOT NULL
) ENGINE=InnoDB WITH SYSTEM VERSIONING
  PARTITION BY SYSTEM_TIME (PARTITION p_hist HISTORY, PARTITION p_cur CURRENT);
INSERT INTO parted_v VALUES (1, 1), (2, 2);
SET timestamp = 1700000400;
UPDATE parted_v SET qty = qty + 10;

SET timestamp = DEFAULT;
CREATE TABLE trx_v (
  id INT NOT NULL PRIMARY KEY,
  v  INT NOT NULL,
  t_start BIGINT UNSIGNED GENERATED ALWAYS AS ROW START,
  t_end   BIGINT UNSIGNED GENERATED ALWAYS AS ROW END,
  PERIOD FOR SYSTEM_TIME (t_start, t_end)
) ENGINE=InnoDB WITH SYSTEM VERSIONING;
INSERT INTO trx_v (id, v) VALUES (1, 1), (2, 2);
UPDATE trx_v SET v = 3 WHERE id = 1;

CREATE SEQUENCE invoice_no START WITH 1000 INCREMENT BY 10 CACHE 5;
SELECT NEXTVAL(invoice_no);
SELECT NEXTVAL(invoice_no);

CREATE TABLE `orders/2024` (id INT PRIMARY KEY, total INT NOT NULL);
INSERT INTO `orders/2024` VALUES (1, 100), (2, 200);

CREATE TABLE tmp_scratch (id INT PRIMARY KEY);
INSERT INTO tmp_scratch VALUES (1);
CREATE VIEW tmp_view AS SELECT id FROM tmp_scratch;

CREATE TABLE parted (
  id INT NOT NULL,
  y  INT NOT NULL,
  PRIMARY KEY (id, y)
) ENGINE=InnoDB PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE);
INSERT INTO parted VALUES (1, 1999), (2, 2024);

CREATE TABLE shapes (
  id    INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  body  TEXT NOT NULL,
  pt    POINT NOT NULL,
  secret VARCHAR(20) INVISIBLE,
  twice INT AS (id * 2) VIRTUAL,
  len_s INT AS (CHAR_LENGTH(body)) PERSISTENT,
  FULLTEXT KEY body_ft (body),
  SPATIAL KEY pt_sp (pt)
) ENGINE=InnoDB;
INSERT INTO shapes (body, pt, secret) VALUES ('hello world', ST_GeomFromText('POINT(1 2)'), 'hidden'), ('日本語の本文', ST_GeomFromText('POINT(3 4)'), NULL);

CREATE TABLE legacy_myisam (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=MyISAM;
INSERT INTO legacy_myisam VALUES (1, 'm');
CREATE TABLE legacy_aria (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=Aria;
INSERT INTO legacy_aria VALUES (1, 'a');

CREATE TABLE tree (
  id INT NOT NULL PRIMARY KEY,
  parent_id INT NULL,
  CONSTRAINT tree_parent FOREIGN KEY (parent_id) REFERENCES tree (id)
) ENGINE=InnoDB;
INSERT INTO tree VALUES (1, NULL), (2, 1), (3, 2);

CREATE TABLE `顧客 ✓` (`名前` VARCHAR(20) PRIMARY KEY);
INSERT INTO `顧客 ✓` VALUES ('山田');

CREATE TABLE big_blob (id INT PRIMARY KEY, b LONGBLOB NOT NULL);
INSERT INTO big_blob VALUES (1, REPEAT(X'00FF5C0A', 3 * 1024 * 1024));
