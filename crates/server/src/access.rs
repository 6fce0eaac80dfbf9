//! Staff access: a bearer token, compared as SHA-256 digests in constant time, never logged.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use crate::{ApiError, AppState};

/// The staff token the server accepts, kept only as its SHA-256 digest.
#[derive(Clone)]
pub struct StaffToken {
    digest: [u8; 32],
}

impl std::fmt::Debug for StaffToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaffToken(..)")
    }
}

impl StaffToken {
    /// From the token itself (e.g. `CFI_STAFF_TOKEN`).
    pub fn from_secret(token: &str) -> StaffToken {
        StaffToken {
            digest: Sha256::digest(token.trim().as_bytes()).into(),
        }
    }

    /// From a token file's contents: 64 hex digits are taken as the token's SHA-256,
    /// anything else as the token.
    pub fn from_file_contents(contents: &str) -> StaffToken {
        let text = contents.trim();
        let hex: Option<Vec<u8>> = (text.len() == 64)
            .then(|| {
                (0..32)
                    .map(|i| {
                        text.get(i * 2..i * 2 + 2)
                            .and_then(|h| u8::from_str_radix(h, 16).ok())
                    })
                    .collect()
            })
            .flatten();
        match hex.and_then(|h| <[u8; 32]>::try_from(h).ok()) {
            Some(digest) => StaffToken { digest },
            None => StaffToken::from_secret(text),
        }
    }

    fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.trim().as_bytes()).into();
        let diff = digest
            .iter()
            .zip(self.digest.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        diff == 0
    }
}

/// Who is calling: staff see confidential submissions, everyone else does not.
#[derive(Debug, Clone, Copy)]
pub struct Access {
    /// Whether a valid staff token came with the request.
    pub staff: bool,
}

impl FromRequestParts<AppState> for Access {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Access, ApiError> {
        let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            return Ok(Access { staff: false });
        };
        let presented = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::unauthorized("use `Authorization: Bearer <staff token>`"))?;
        match &state.staff_token {
            Some(token) if token.matches(presented) => Ok(Access { staff: true }),
            Some(_) => Err(ApiError::unauthorized("the staff token is not valid")),
            None => Err(ApiError::unauthorized(
                "this server has no staff token configured",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_or_its_digest() {
        let token = StaffToken::from_secret("s3cret");
        assert!(token.matches("s3cret"));
        assert!(!token.matches("s3cre"));
        let hex: String = Sha256::digest(b"s3cret")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(StaffToken::from_file_contents(&format!("{hex}\n")).matches("s3cret"));
        assert!(StaffToken::from_file_contents("s3cret\n").matches("s3cret"));
        assert_eq!(format!("{token:?}"), "StaffToken(..)");
    }
}
