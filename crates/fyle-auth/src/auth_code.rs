//! The OAuth 2.0 authorization-code flow for partner apps, built on the `oauth2` crate.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use fyle_transport::SharedTransport;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError,
    StandardRevocableToken, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::credentials::{default_accounts_url, join_path, redacted};
use crate::oauth2_adapter::TransportHttpClient;
use crate::refresh::{DEFAULT_LIFETIME, RefreshTokenProviderBuilder};
use crate::token_endpoint::{self, TOKEN_PATH};
use crate::{
    AccessToken, AuthError, Clock, Credentials, HostPolicy, RefreshTokenProvider, TokenSet,
    TokioClock,
};

/// Where Fyle asks the user to authorize an app.
pub const DEFAULT_AUTHORIZE_URL: &str = "https://app.fylehq.com/app/developers/oauth/authorize";

/// PKCE (RFC 7636) for the authorization request.
///
/// Fyle does not support PKCE yet ("we plan on adding support", its docs say), and requires
/// `client_secret` on every token call, so the default is [`Pkce::Disabled`]. When Fyle adds
/// it, [`Pkce::S256`] sends `code_challenge`/`code_challenge_method=S256` and then the
/// `code_verifier` on the exchange.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pkce {
    /// No PKCE parameters (what Fyle supports today).
    #[default]
    Disabled,
    /// A random SHA-256 challenge per authorization.
    S256,
}

/// The token answer as the `oauth2` crate parses it. Fyle's answer need not carry
/// `token_type` (the spec declares only `access_token`), which `oauth2`'s standard response
/// requires, so this type defaults it to `bearer`.
#[derive(Debug, Deserialize, Serialize)]
struct FyleTokenResponse {
    access_token: oauth2::AccessToken,
    #[serde(default = "bearer")]
    token_type: BasicTokenType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<oauth2::RefreshToken>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_in: Option<serde_json::Value>,
}

fn bearer() -> BasicTokenType {
    BasicTokenType::Bearer
}

impl oauth2::TokenResponse for FyleTokenResponse {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &oauth2::AccessToken {
        &self.access_token
    }

    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }

    fn expires_in(&self) -> Option<Duration> {
        self.expires_in.as_ref().and_then(token_endpoint::seconds)
    }

    fn refresh_token(&self) -> Option<&oauth2::RefreshToken> {
        self.refresh_token.as_ref()
    }

    fn scopes(&self) -> Option<&Vec<oauth2::Scope>> {
        None
    }
}

type FyleOAuthClient = oauth2::Client<
    BasicErrorResponse,
    FyleTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The authorization-code flow of an OAuth 2.0 (partner) app.
///
/// 1. [`authorize`](Self::authorize): send the user to the returned URL (`client_id`,
///    `redirect_uri`, `response_type=code` and a random CSRF `state`); keep the
///    [`PendingAuthorization`] in the user's session.
/// 2. When the user comes back to the redirect URI, parse the query into an
///    [`AuthorizationCallback`] and call [`exchange`](Self::exchange): it checks the `state`
///    and exchanges the code, as JSON, through the transport.
/// 3. Persist the org's refresh token from the [`TokenSet`], and get a per-org
///    [`RefreshTokenProvider`] from [`provider_from_tokens`](Self::provider_from_tokens) (or,
///    after a restart, [`provider_from_refresh_token`](Self::provider_from_refresh_token)).
///    One flow (and one transport) serves any number of orgs.
///
/// `Debug` shows no secret.
///
/// # One provider per org
///
/// ```no_run
/// use std::sync::Arc;
///
/// use fyle_auth::{AuthCodeFlow, AuthorizationCallback, InMemoryTokenStore, TokenProvider, TokenStore};
/// use url::Url;
///
/// # async fn run(transport: fyle_transport::SharedTransport) -> Result<(), Box<dyn std::error::Error>> {
/// let flow = AuthCodeFlow::builder("tpaCLIENTID", "client-secret", transport)
///     .redirect_uri(Url::parse("https://example.com/fyle/callback")?)
///     .build();
///
/// // 1. Send the user to `url`; keep `pending` in their session.
/// let (url, pending) = flow.authorize();
/// # let _ = url;
///
/// // 2. They come back to https://example.com/fyle/callback?code=...&state=...
/// let callback = AuthorizationCallback::from_query("code=abc&state=xyz")?;
/// let tokens = flow.exchange(&pending, &callback).await?; // checks `state`, then exchanges
///
/// // 3. Persist the org's refresh token, and build its provider.
/// let store = Arc::new(InMemoryTokenStore::new());
/// if let Some(refresh) = &tokens.refresh_token {
///     store.save("org_123", refresh).await?;
/// }
/// let provider = flow
///     .provider_from_tokens(&tokens)?
///     .store(store.clone(), "org_123") // rotated refresh tokens land here
///     .build();
/// let token = provider.access_token().await?;
/// # let _ = token;
/// # Ok(())
/// # }
/// ```
pub struct AuthCodeFlow {
    client: FyleOAuthClient,
    client_id: String,
    client_secret: SecretString,
    accounts_url: Url,
    redirect_uri: Option<RedirectUrl>,
    transport: SharedTransport,
    clock: Arc<dyn Clock>,
    pkce: Pkce,
    default_lifetime: Duration,
    policy: HostPolicy,
}

/// Builds an [`AuthCodeFlow`]; see [`AuthCodeFlow::builder`].
#[must_use]
pub struct AuthCodeFlowBuilder {
    client_id: String,
    client_secret: SecretString,
    transport: SharedTransport,
    authorize_url: Url,
    accounts_url: Url,
    redirect_uri: Option<Url>,
    clock: Arc<dyn Clock>,
    pkce: Pkce,
    default_lifetime: Duration,
    policy: HostPolicy,
}

impl AuthCodeFlowBuilder {
    /// The hosts the client secret, codes and refresh tokens may go to (default
    /// [`HostPolicy::default`]: https under `fylehq.com`). Providers made by the flow inherit
    /// it. A local sandbox needs [`HostPolicy::allow_loopback_http`].
    pub fn host_policy(mut self, policy: HostPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The redirect URI registered on the app. Sent on the authorize URL only: Fyle's token
    /// request has no `redirect_uri` field. Leave unset if the app has none registered.
    pub fn redirect_uri(mut self, uri: Url) -> Self {
        self.redirect_uri = Some(uri);
        self
    }

    /// Overrides the authorize URL (default [`DEFAULT_AUTHORIZE_URL`]).
    pub fn authorize_url(mut self, url: Url) -> Self {
        self.authorize_url = url;
        self
    }

    /// Overrides the accounts host serving `/oauth/token` (default
    /// [`DEFAULT_ACCOUNTS_URL`](crate::DEFAULT_ACCOUNTS_URL)).
    pub fn accounts_url(mut self, url: Url) -> Self {
        self.accounts_url = url;
        self
    }

    /// PKCE mode (default [`Pkce::Disabled`]: Fyle does not support it yet).
    pub fn pkce(mut self, pkce: Pkce) -> Self {
        self.pkce = pkce;
        self
    }

    /// The time source for expiries (default [`TokioClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The lifetime assumed when the answer does not tell (default one hour).
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = lifetime;
        self
    }

    /// Builds the flow.
    pub fn build(self) -> AuthCodeFlow {
        let token_url = join_path(&self.accounts_url, TOKEN_PATH);
        let client = oauth2::Client::new(ClientId::new(self.client_id.clone()))
            .set_client_secret(ClientSecret::new(
                self.client_secret.expose_secret().to_owned(),
            ))
            .set_auth_uri(AuthUrl::from_url(self.authorize_url))
            .set_token_uri(TokenUrl::from_url(token_url))
            // client_id and client_secret go in the body, never in a Basic header.
            .set_auth_type(AuthType::RequestBody);
        AuthCodeFlow {
            client,
            client_id: self.client_id,
            client_secret: self.client_secret,
            accounts_url: self.accounts_url,
            // Kept out of the oauth2 client on purpose: set on the client, oauth2 would also
            // put it into the token request, which Fyle's schema does not allow.
            redirect_uri: self.redirect_uri.map(RedirectUrl::from_url),
            transport: self.transport,
            clock: self.clock,
            pkce: self.pkce,
            default_lifetime: self.default_lifetime,
            policy: self.policy,
        }
    }
}

impl fmt::Debug for AuthCodeFlowBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthCodeFlowBuilder")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// What to keep between sending the user to the authorize URL and their return: the CSRF
/// `state` (and the PKCE verifier, when enabled). Store it server-side, e.g. in the session.
///
/// `Debug` hides both values.
#[derive(Clone)]
pub struct PendingAuthorization {
    state: SecretString,
    pkce_verifier: Option<SecretString>,
}

impl PendingAuthorization {
    /// Rebuilds a pending authorization from stored parts.
    pub fn new(state: impl Into<SecretString>, pkce_verifier: Option<SecretString>) -> Self {
        Self {
            state: state.into(),
            pkce_verifier,
        }
    }

    /// The `state` sent on the authorize URL.
    pub fn state(&self) -> &str {
        self.state.expose_secret()
    }

    /// The PKCE verifier, when PKCE is enabled.
    pub fn pkce_verifier(&self) -> Option<&SecretString> {
        self.pkce_verifier.as_ref()
    }
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("state", &"***")
            .field("pkce", &self.pkce_verifier.is_some())
            .finish()
    }
}

/// The parameters the user brings back to the redirect URI. `Debug` hides the code.
#[derive(Clone)]
pub struct AuthorizationCallback {
    code: SecretString,
    state: Option<String>,
}

impl AuthorizationCallback {
    /// A callback from already-parsed parameters.
    pub fn new(code: impl Into<SecretString>, state: Option<String>) -> Self {
        Self {
            code: code.into(),
            state,
        }
    }

    /// Parses the redirect URI's query string (`code`, `state`, or `error` and
    /// `error_description` when the user did not grant access).
    pub fn from_query(query: &str) -> Result<Self, AuthError> {
        let (mut code, mut state, mut error, mut description) = (None, None, None, None);
        for (key, value) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            match key.as_ref() {
                "code" => code = Some(value.into_owned()),
                "state" => state = Some(value.into_owned()),
                "error" => error = Some(value.into_owned()),
                "error_description" => description = Some(value.into_owned()),
                _ => {}
            }
        }
        if let Some(error) = error {
            return Err(AuthError::AuthorizationDenied { error, description });
        }
        match code {
            Some(code) if !code.is_empty() => Ok(Self::new(code, state)),
            _ => Err(AuthError::MissingCode),
        }
    }

    /// Parses the full redirect URL the user arrived at.
    pub fn from_url(url: &Url) -> Result<Self, AuthError> {
        Self::from_query(url.query().unwrap_or_default())
    }

    /// The `state` that came back, if any.
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }
}

impl fmt::Debug for AuthorizationCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationCallback")
            .field("code", &"***")
            .field("state", &self.state.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Compares without an early exit, so timing does not reveal how much of `state` matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl AuthCodeFlow {
    /// A builder for the app's `client_id` and `client_secret`; token requests go through
    /// `transport`.
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
        transport: SharedTransport,
    ) -> AuthCodeFlowBuilder {
        AuthCodeFlowBuilder {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            transport,
            authorize_url: Url::parse(DEFAULT_AUTHORIZE_URL)
                .expect("DEFAULT_AUTHORIZE_URL is a valid URL literal"),
            accounts_url: default_accounts_url(),
            redirect_uri: None,
            clock: Arc::new(TokioClock),
            pkce: Pkce::Disabled,
            default_lifetime: DEFAULT_LIFETIME,
            policy: HostPolicy::default(),
        }
    }

    /// The URL to send the user to, and what to keep until they come back.
    ///
    /// The URL carries `response_type=code`, `client_id`, a fresh random `state` (128 bits),
    /// and `redirect_uri` when configured (plus the PKCE challenge when enabled).
    pub fn authorize(&self) -> (Url, PendingAuthorization) {
        let mut request = self.client.authorize_url(CsrfToken::new_random);
        if let Some(redirect_uri) = &self.redirect_uri {
            request = request.set_redirect_uri(Cow::Borrowed(redirect_uri));
        }
        let pkce_verifier = match self.pkce {
            Pkce::Disabled => None,
            Pkce::S256 => {
                let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
                request = request.set_pkce_challenge(challenge);
                Some(SecretString::from(verifier.into_secret()))
            }
        };
        let (url, state) = request.url();
        (
            url,
            PendingAuthorization {
                state: SecretString::from(state.into_secret()),
                pkce_verifier,
            },
        )
    }

    /// Checks the callback's `state` against the pending one, then exchanges the code for
    /// tokens: `POST {accounts}/oauth/token` with the JSON body
    /// `{grant_type: "authorization_code", code, client_id, client_secret}`.
    ///
    /// A missing or different `state` is [`AuthError::StateMismatch`], and a token URL the
    /// [`HostPolicy`] refuses is [`AuthError::HostNotAllowed`]; in both cases nothing is sent.
    pub async fn exchange(
        &self,
        pending: &PendingAuthorization,
        callback: &AuthorizationCallback,
    ) -> Result<TokenSet, AuthError> {
        let state_matches = callback.state.as_deref().is_some_and(|returned| {
            constant_time_eq(returned.as_bytes(), pending.state().as_bytes())
        });
        if !state_matches {
            tracing::warn!(
                client_id = %self.client_id,
                "authorization callback state mismatch; code not exchanged"
            );
            return Err(AuthError::StateMismatch);
        }
        self.policy
            .check_as("token endpoint", &join_path(&self.accounts_url, TOKEN_PATH))?;

        let mut request = self.client.exchange_code(AuthorizationCode::new(
            callback.code.expose_secret().to_owned(),
        ));
        if let Some(verifier) = &pending.pkce_verifier {
            request = request
                .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose_secret().to_owned()));
        }
        tracing::debug!(client_id = %self.client_id, "exchanging an authorization code");
        let http_client = TransportHttpClient::new(&self.transport);
        let answer = request
            .request_async(&http_client)
            .await
            .map_err(map_oauth2_error)?;

        let now = self.clock.now();
        let access = answer.access_token.secret().clone();
        let expires_in = token_endpoint::lifetime(
            oauth2::TokenResponse::expires_in(&answer),
            &access,
            self.clock.system_now(),
            self.default_lifetime,
        );
        let expires_at = now + expires_in;
        tracing::debug!(client_id = %self.client_id, "authorization code exchanged");
        Ok(TokenSet {
            access_token: AccessToken::new(access, Some(expires_at)),
            refresh_token: answer
                .refresh_token
                .map(|t| SecretString::from(t.into_secret())),
            expires_in,
            expires_at,
        })
    }

    /// A provider builder for one org, seeded with the access token of `tokens` and refreshing
    /// with its refresh token. Add [`store`](RefreshTokenProviderBuilder::store) with the org
    /// id as key to persist rotated refresh tokens.
    pub fn provider_from_tokens(
        &self,
        tokens: &TokenSet,
    ) -> Result<RefreshTokenProviderBuilder, AuthError> {
        let refresh_token = tokens
            .refresh_token
            .clone()
            .ok_or(AuthError::MissingRefreshToken)?;
        Ok(self
            .provider_from_refresh_token(refresh_token)
            .initial_token(tokens.access_token.clone()))
    }

    /// A provider builder for one org whose refresh token was stored earlier.
    pub fn provider_from_refresh_token(
        &self,
        refresh_token: impl Into<SecretString>,
    ) -> RefreshTokenProviderBuilder {
        let credentials = Credentials::new(
            self.client_id.clone(),
            self.client_secret.clone(),
            refresh_token,
        )
        .with_accounts_url(self.accounts_url.clone());
        RefreshTokenProvider::builder(credentials, self.transport.clone())
            .host_policy(self.policy.clone())
            .clock(self.clock.clone())
            .default_lifetime(self.default_lifetime)
    }
}

fn map_oauth2_error(
    error: RequestTokenError<crate::oauth2_adapter::AdapterError, BasicErrorResponse>,
) -> AuthError {
    match error {
        RequestTokenError::Request(adapter) => adapter.0,
        // The parse error's second field is the body, tokens included: dropped here.
        RequestTokenError::Parse(error, _body) => AuthError::Decode {
            reason: format!(
                "{} (at {})",
                crate::error::describe_json_error(error.inner()),
                error.path()
            ),
        },
        // Unreachable in practice: the adapter turns every non-2xx answer into an AuthError.
        RequestTokenError::ServerResponse(response) => AuthError::Decode {
            reason: format!("unexpected error response: {}", response.error()),
        },
        RequestTokenError::Other(reason) => AuthError::Decode { reason },
    }
}

impl fmt::Debug for AuthCodeFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthCodeFlow")
            .field("client_id", &self.client_id)
            .field("accounts_url", &redacted(&self.accounts_url))
            .field(
                "redirect_uri",
                &self.redirect_uri.as_ref().map(|u| u.as_str()),
            )
            .field("pkce", &self.pkce)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_parsing() {
        let cb = AuthorizationCallback::from_query("?code=abc&state=xyz").expect("ok");
        assert_eq!(cb.state(), Some("xyz"));
        assert!(!format!("{cb:?}").contains("abc"));
        assert!(matches!(
            AuthorizationCallback::from_query("state=xyz"),
            Err(AuthError::MissingCode)
        ));
        let err =
            AuthorizationCallback::from_query("error=access_denied&error_description=no&state=x")
                .expect_err("denied");
        assert_eq!(
            err.to_string(),
            "authorization was not granted: access_denied: no"
        );
    }

    #[test]
    fn constant_time_eq_compares_fully() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
