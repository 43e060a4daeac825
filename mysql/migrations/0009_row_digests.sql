-- The row digests of a slot's tables (mysql/digests.go): written by the
-- snapshot while it verifies the slot, read by comparisons of two days,
-- deleted with the slot. A list is its parts in order; the manifest says
-- how many it has and what they add up to.
CREATE TABLE IF NOT EXISTS row_digests (
  slot       VARCHAR(64)  NOT NULL,
  table_name VARCHAR(64)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  part       INT          NOT NULL,
  data       MEDIUMBLOB   NOT NULL,
  PRIMARY KEY (slot, table_name, part)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
