-- A shop whose order items go with their order (ON DELETE CASCADE).
CREATE TABLE customers (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(50) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE orders (
  id INT NOT NULL PRIMARY KEY,
  customer_id INT NOT NULL,
  status VARCHAR(20) NOT NULL,
  note VARCHAR(100) DEFAULT NULL,
  created_at DATETIME NOT NULL,
  CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE order_items (
  order_id INT NOT NULL,
  line INT NOT NULL,
  sku VARCHAR(20) NOT NULL,
  qty INT NOT NULL,
  PRIMARY KEY (order_id, line),
  CONSTRAINT items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bob');
INSERT INTO orders VALUES (1, 1, 'paid', 'first', '2026-12-01 10:00:00'), (2, 1, 'new', NULL, '2026-12-02 11:00:00'), (3, 2, 'paid', 'gift', '2026-12-03 12:00:00');
INSERT INTO order_items VALUES (1, 1, 'TEA', 2), (2, 1, 'CUP', 1), (2, 2, 'TEA', 5), (3, 1, 'POT', 1);
CREATE TRIGGER orders_created BEFORE INSERT ON orders FOR EACH ROW SET NEW.created_at = NOW();
