-- The change sets of pairs of generations (the per-table counts of
-- package compare, as JSON), keyed by the two slots, older first. A slot
-- is unique per snapshot run, so a row is right for as long as both slots
-- are served; rows whose slots no generation points at any more are
-- deleted whenever a change set is stored. engine is the comparison
-- engine's version: rows of another version are recomputed.
CREATE TABLE IF NOT EXISTS change_sets (
  from_slot   VARCHAR(64)  NOT NULL,
  to_slot     VARCHAR(64)  NOT NULL,
  engine      INT          NOT NULL,
  tables_json LONGTEXT     NOT NULL,
  computed_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (from_slot, to_slot)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
