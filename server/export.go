package server

import "github.com/gofiber/fiber/v2"

// exportCSV streams the records of a table as CSV
// (GET /{day}/tables/{table}/export.csv).
func (s *Server) exportCSV(c *fiber.Ctx) error {
	return fiber.ErrNotFound
}

// templateJSON answers the template of a table and its related tables
// (GET /{day}/tables/{table}/template.json).
func (s *Server) templateJSON(c *fiber.Ctx) error {
	return fiber.ErrNotFound
}
