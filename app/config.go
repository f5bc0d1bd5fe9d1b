// Package app reads the configuration, wires adapters into the domain
// services, and runs the service until it is told to stop.
package app

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// Config is every setting of the service. Key names are fixed: operators
// script them, as YAML keys or as SEATIDE_* environment variables.
type Config struct {
	Production bool   `mapstructure:"production"`
	Listen     string `mapstructure:"listen"`
	Secret     string `mapstructure:"secret"`

	Database DatabaseConfig `mapstructure:"database"`
	Users    UsersConfig    `mapstructure:"users"`
	Log      LogConfig      `mapstructure:"log"`
	CORS     CORSConfig     `mapstructure:"cors"`
	V1       V1Config       `mapstructure:"v1"`

	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
}

type DatabaseConfig struct {
	Driver          string        `mapstructure:"driver"`
	DSN             string        `mapstructure:"dsn"`
	AutoMigrate     *bool         `mapstructure:"auto_migrate"` // nil: on for sqlite only
	MaxOpenConns    int           `mapstructure:"max_open_conns"`
	MaxIdleConns    int           `mapstructure:"max_idle_conns"`
	ConnMaxLifetime time.Duration `mapstructure:"conn_max_lifetime"`
	QueryTimeout    time.Duration `mapstructure:"query_timeout"`
}

type UsersConfig struct {
	OpenSignup          bool `mapstructure:"open_signup"`
	HideUnknown         bool `mapstructure:"hide_unknown"`
	MaxConcurrentHashes int  `mapstructure:"max_concurrent_hashes"`
}

type LogConfig struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"` // text or json; empty: json in production
}

type CORSConfig struct {
	AllowedOrigins []string `mapstructure:"allowed_origins"`
}

type V1Config struct {
	OpenReads bool `mapstructure:"open_reads"`
}

// Listen addresses when none is configured: the original listened on :3811.
const (
	devListen        = "127.0.0.1:5000"
	productionListen = ":3811"
	minSecretLen     = 32
)

func defaults() map[string]any {
	return map[string]any{
		"production":                  false,
		"listen":                      "",
		"secret":                      "",
		"database.driver":             "sqlite",
		"database.dsn":                "./seatide.db",
		"database.auto_migrate":       nil,
		"database.max_open_conns":     10,
		"database.max_idle_conns":     5,
		"database.conn_max_lifetime":  "30m",
		"database.query_timeout":      "5s",
		"users.open_signup":           true,
		"users.hide_unknown":          false,
		"users.max_concurrent_hashes": 2,
		"log.level":                   "info",
		"log.format":                  "",
		"cors.allowed_origins":        []string{},
		"v1.open_reads":               false,
		"shutdown_timeout":            "15s",
	}
}

// LoadConfig reads the file at path (none when path is empty and no
// ./config.yml exists), then SEATIDE_* variables from environ. Unknown keys,
// unknown SEATIDE_ variables and values of the wrong type are errors.
func LoadConfig(path string, environ []string) (Config, error) {
	v := viper.New()
	for k, d := range defaults() {
		v.SetDefault(k, d)
	}
	env := make(map[string]string)
	for _, kv := range environ {
		if k, val, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "SEATIDE_") {
			env[k] = val
		}
	}
	// Take SEATIDE_* values from environ rather than viper's AutomaticEnv,
	// which reads the process environment: callers and tests control it.
	known := make(map[string]string)
	for k := range defaults() {
		name := "SEATIDE_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
		known[name] = k
		if val, ok := env[name]; ok {
			v.Set(k, val)
		}
	}
	var unknownEnv []string
	for name := range env {
		if _, ok := known[name]; !ok && !strings.HasPrefix(name, "SEATIDE_TEST_") {
			unknownEnv = append(unknownEnv, name)
		}
	}
	if len(unknownEnv) > 0 {
		sort.Strings(unknownEnv)
		return Config{}, fmt.Errorf("unknown environment variables: %s", strings.Join(unknownEnv, ", "))
	}

	if path == "" {
		if _, err := os.Stat("config.yml"); err == nil {
			path = "config.yml"
		}
	}
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return Config{}, fmt.Errorf("config file %s: %w", path, err)
		}
	}

	var cfg Config
	err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) {
		dc.ErrorUnused = true
		dc.WeaklyTypedInput = true // env values are strings
		dc.DecodeHook = mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			stringToListHook,
		)
	})
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if err := cfg.finish(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// stringToListHook splits a comma-separated string into a list, so
// SEATIDE_CORS_ALLOWED_ORIGINS="https://a,https://b" works.
func stringToListHook(from, to reflect.Type, data any) (any, error) {
	if from.Kind() != reflect.String || to.Kind() != reflect.Slice {
		return data, nil
	}
	s := strings.TrimSpace(data.(string))
	if s == "" {
		return []string{}, nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts, nil
}

// ErrWeakSecret stops a production start with a missing or short secret.
var ErrWeakSecret = errors.New("secret: production mode needs a secret of at least 32 bytes (set `secret` or SEATIDE_SECRET; e.g. `openssl rand -hex 32`)")

// finish fills derived defaults and checks what must hold before start-up.
func (c *Config) finish() error {
	if c.Listen == "" {
		c.Listen = devListen
		if c.Production {
			c.Listen = productionListen
		}
	}
	if c.Production && len(c.Secret) < minSecretLen {
		return ErrWeakSecret
	}
	if !slices.Contains([]string{"sqlite", "mysql", "postgres"}, c.Database.Driver) {
		return fmt.Errorf("database.driver: %q is not one of sqlite, mysql, postgres", c.Database.Driver)
	}
	if strings.TrimSpace(c.Database.DSN) == "" {
		return errors.New("database.dsn: empty")
	}
	if c.Database.AutoMigrate == nil {
		on := c.Database.Driver == "sqlite"
		c.Database.AutoMigrate = &on
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
		if c.Production {
			c.Log.Format = "json"
		}
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return fmt.Errorf("log.format: %q is not text or json", c.Log.Format)
	}
	if _, err := parseLevel(c.Log.Level); err != nil {
		return err
	}
	if c.Users.MaxConcurrentHashes < 1 {
		return errors.New("users.max_concurrent_hashes: must be at least 1")
	}
	return nil
}
