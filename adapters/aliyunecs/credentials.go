package aliyunecs

import (
	"errors"
	"fmt"

	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/credentials-go/credentials"
	"github.com/aliyun/credentials-go/credentials/providers"
)

// Chain is Aliyun's default credential chain, as every Aliyun SDK and the
// CLI use it (github.com/aliyun/credentials-go v1.4.14,
// providers.NewDefaultCredentialsProvider), tried in this order:
//
//  1. the environment: ALIBABA_CLOUD_ACCESS_KEY_ID and
//     ALIBABA_CLOUD_ACCESS_KEY_SECRET, with ALIBABA_CLOUD_SECURITY_TOKEN
//     for an STS token;
//  2. OIDC (RRSA on Kubernetes): ALIBABA_CLOUD_ROLE_ARN,
//     ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE;
//  3. the Aliyun CLI's profile (~/.aliyun/config.json);
//  4. the credentials file's profile (~/.alibabacloud/credentials or
//     ALIBABA_CLOUD_CREDENTIALS_FILE; profile ALIBABA_CLOUD_PROFILE, else
//     "default");
//  5. the RAM role of the ECS host, from the instance metadata service
//     (ALIBABA_CLOUD_ECS_METADATA names the role;
//     ALIBABA_CLOUD_ECS_METADATA_DISABLED=true skips it);
//  6. ALIBABA_CLOUD_CREDENTIALS_URI.
//
// Temporary credentials (STS, role, OIDC) are refreshed by the library
// before they expire. Nothing is read until the first call.
func Chain() credentials.Credential {
	return credentials.FromCredentialsProvider("default", providers.NewDefaultCredentialsProvider())
}

// CredentialSource resolves c once and names the provider that answered
// (e.g. "default/env", "default/profile", "default/ecs_ram_role") and the
// AccessKey id it gave, never the secret. It is what `seatide check` shows.
func CredentialSource(c credentials.Credential) (source, accessKeyID string, err error) {
	if c == nil {
		return "", "", errors.New("no credential")
	}
	m, err := c.GetCredential()
	if err != nil {
		return "", "", fmt.Errorf("the Aliyun credential chain found no credentials: %w", err)
	}
	return tea.StringValue(m.ProviderName), tea.StringValue(m.AccessKeyId), nil
}
