CREATE TABLE `partitioned` (
  `id` int(11) NOT NULL,
  `created` date NOT NULL,
  `customer` int(11) NOT NULL,
  PRIMARY KEY (`id`,`created`),
  UNIQUE KEY `created_id` (`created`,`id`),
  KEY `customer` (`customer`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
 PARTITION BY RANGE (year(`created`))
SUBPARTITION BY HASH (`id`)
SUBPARTITIONS 2
(PARTITION `p2024` VALUES LESS THAN (2025) ENGINE = InnoDB,
 PARTITION `p2025` VALUES LESS THAN (2026) ENGINE = InnoDB,
 PARTITION `pmax` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)
