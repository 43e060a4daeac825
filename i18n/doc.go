// Package i18n holds Weekback's message catalogs and formats what users read
// in their language: sentences with named placeholders, plural forms, dates,
// weekdays and numbers.
//
// The catalogs are plain text files, one per language, embedded from
// locales/ (see README.md for the format and how to add a language). English
// is the source language: every key exists in English, and a key missing from
// another catalog falls back to English.
//
// A server loads the catalogs once (Load or MustLoad), picks each request's
// language with Catalog.Match (the CookieName cookie first, then the
// Accept-Language header, English by default) and renders with the
// Localizer of that language. A Catalog and its Localizers are immutable once
// loaded and safe for concurrent use.
//
// Texts are plain text, not HTML: html/template escapes them when they are
// rendered.
package i18n
