CREATE TABLE `auto inc (paren)` (
  `tenant` int(11) NOT NULL,
  `the id` int(11) NOT NULL AUTO_INCREMENT,
  `other` int(11) DEFAULT NULL,
  PRIMARY KEY (`tenant`,`the id`),
  KEY `other` (`other`),
  KEY `by id (the id)` (`the id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
