package aliyunecs_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/seatidemc/seatide/adapters/aliyunecs"
	"github.com/seatidemc/seatide/adapters/ecssim"
	"github.com/seatidemc/seatide/domain"
)

// isolateChain empties every variable the Aliyun credential chain reads,
// points HOME at an empty directory (no CLI profile, no credentials file)
// and turns the instance metadata off, so no source is found by accident
// and nothing goes to the network.
func isolateChain(t *testing.T) {
	t.Helper()
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
		"ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_PROFILE",
		"ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
}

// TestCredentialChain: each source of the chain gives the key a client then
// signs with (the simulator checks the signature), and no source at all is
// a clear error, not a call.
func TestCredentialChain(t *testing.T) {
	s := startSim(t, ecssim.Options{NoDelay: true})
	id, secret := s.Credentials()
	file := func(t *testing.T, body string) string {
		p := filepath.Join(t.TempDir(), "credentials")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name        string
		env         func(t *testing.T) map[string]string
		source      string
		token       string
		signsWithIt bool
	}{
		{"environment AccessKey", func(*testing.T) map[string]string {
			return map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": id, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret}
		}, "default/env", "", true},
		{"environment STS token", func(*testing.T) map[string]string {
			return map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": id, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret,
				"ALIBABA_CLOUD_SECURITY_TOKEN": "sts-token"}
		}, "default/env", "sts-token", true},
		{"credentials file, default profile", func(t *testing.T) map[string]string {
			return map[string]string{"ALIBABA_CLOUD_CREDENTIALS_FILE": file(t,
				"[default]\ntype = access_key\naccess_key_id = "+id+"\naccess_key_secret = "+secret+"\n")}
		}, "default/profile/static_ak", "", true},
		{"credentials file, named profile", func(t *testing.T) map[string]string {
			return map[string]string{"ALIBABA_CLOUD_PROFILE": "seatide", "ALIBABA_CLOUD_CREDENTIALS_FILE": file(t,
				"[default]\ntype = access_key\naccess_key_id = LTAIwrong\naccess_key_secret = wrong\n\n"+
					"[seatide]\ntype = access_key\naccess_key_id = "+id+"\naccess_key_secret = "+secret+"\n")}
		}, "default/profile/static_ak", "", true},
		{"the environment comes first", func(t *testing.T) map[string]string {
			return map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIenv", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret",
				"ALIBABA_CLOUD_CREDENTIALS_FILE": file(t, "[default]\ntype = access_key\naccess_key_id = "+id+"\naccess_key_secret = "+secret+"\n")}
		}, "default/env", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateChain(t)
			for k, v := range tt.env(t) {
				t.Setenv(k, v)
			}
			chain := aliyunecs.Chain()
			source, key, err := aliyunecs.CredentialSource(chain)
			if err != nil || source != tt.source {
				t.Fatalf("source %q key %q err %v, want %s", source, key, err, tt.source)
			}
			m, err := chain.GetCredential()
			if err != nil || *m.SecurityToken != tt.token {
				t.Errorf("security token %v %v, want %q", m.SecurityToken, err, tt.token)
			}
			cfg := clientConfig(s)
			cfg.AccessKeyID, cfg.AccessKeySecret, cfg.Credential = "", "", chain
			_, err = newClient(t, cfg).Available(ctxT(t), s.RegionID()+"-h", "ecs.g6.large")
			if tt.signsWithIt && err != nil {
				t.Errorf("a call signed with the chain's key: %v", err)
			}
			if !tt.signsWithIt && !errors.Is(err, domain.ErrCloudAuth) {
				t.Errorf("a call with the environment's unknown key: %v, want ErrCloudAuth", err)
			}
		})
	}
	t.Run("no source", func(t *testing.T) {
		isolateChain(t)
		if _, _, err := aliyunecs.CredentialSource(aliyunecs.Chain()); err == nil {
			t.Fatal("no error without any source")
		}
	})
}
