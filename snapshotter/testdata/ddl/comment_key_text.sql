CREATE TABLE `comment_key_text` (
  `id` int(11) NOT NULL,
  `a` int(11) DEFAULT NULL COMMENT 'KEY (a)',
  `b` int(11) DEFAULT NULL COMMENT 'see UNIQUE KEY `x` (b),\nKEY y (b),',
  `c` varchar(20) DEFAULT 'KEY (c)',
  PRIMARY KEY (`id`) COMMENT 'KEY (id)',
  KEY `a` (`a`) COMMENT 'CONSTRAINT `f` FOREIGN KEY (a)'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='KEY (t)\n)'
