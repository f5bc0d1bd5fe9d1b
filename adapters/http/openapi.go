package http

import (
	_ "embed"
	"net/http"
)

// openAPIYAML is the OpenAPI 3 description of every route. openapi_test.go
// keeps it and the router in step, and the app's end-to-end tests check
// every real answer against it.
//
//go:embed openapi.yaml
var openAPIYAML string

// OpenAPI returns the OpenAPI 3 document (YAML) that describes the routes.
func OpenAPI() []byte { return []byte(openAPIYAML) }

// GET /api/openapi.yaml: the document itself, outside the v1 envelope.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write([]byte(openAPIYAML))
}
