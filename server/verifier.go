package server

import "github.com/weekback/weekback/server/auth"

// defaultVerifier checks passwords when Server.Verifier is nil.
var defaultVerifier = new(auth.Verifier)

// verifier returns Server.Verifier, or defaultVerifier.
func (s *Server) verifier() *auth.Verifier {
	if s.Verifier != nil {
		return s.Verifier
	}
	return defaultVerifier
}
