// Package config reads Weekback's configuration.
//
// A configuration is built in four steps, always in this order:
//
//  1. Default fills every key from the Default* constants, then auth.preset
//     (read from the file or the environment first) replaces the auth keys
//     with those of that application (see PresetNames), so that everything
//     the next steps set overrides the preset;
//  2. a YAML file (weekback.yaml) overrides what it sets; unknown keys are an
//     error that names the key;
//  3. environment variables override single keys: the key path upper-cased,
//     dots turned into underscores and WEEKBACK_ put in front, so source.dsn
//     is WEEKBACK_SOURCE_DSN and backup.reader_dsn is
//     WEEKBACK_BACKUP_READER_DSN. The names come from the yaml tags, so a new
//     key gets its variable for free. Lists of strings are comma-separated;
//     lists of conditions (auth.allow, auth.admin) take a YAML flow list such
//     as [{column: role, equals: "superadmin"}];
//  4. Validate checks the format of every value that is set.
//
// Load does all four. What a command additionally needs (DSNs for a snapshot,
// the reader account and session secret for the server) is checked by
// RequireSnapshot and RequireServe.
//
// Every error this package returns is a *Error (or an errors.Join of them)
// whose message names the key, shows the bad value (passwords in DSNs as ***)
// and says how to fix it, so that a command can print it and exit with the
// usage/configuration exit code.
//
// The package embeds the IANA time zone database (time/tzdata), so
// schedule.timezone loads on hosts and containers without one.
package config
