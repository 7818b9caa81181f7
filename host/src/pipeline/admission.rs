//! Admission stages: what must pass before any hook runs. A failure here answers at once and
//! no hook runs.

use crate::app::AppState;
use crate::auth::BearerError;
use crate::context::RequestContext;
use crate::error::HttpError;
use crate::routing::CompiledRoute;

/// One admission stage; [`super::ADMISSION`] holds them in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdmissionStage {
    /// Stage 4: bearer JWT → user. No token: anonymous. A bad token is anonymous on a
    /// published method and 401 elsewhere.
    Authenticate,
    /// Stage 5: published methods pass; no user is 401; root admins pass; everyone else
    /// needs a permission grant.
    Authorize,
}

impl AdmissionStage {
    pub async fn run(
        self,
        state: &AppState,
        route: &CompiledRoute,
        ctx: &mut RequestContext,
    ) -> Result<(), HttpError> {
        match self {
            AdmissionStage::Authenticate => authenticate(state, route, ctx).await,
            AdmissionStage::Authorize => authorize(route, ctx),
        }
    }
}

async fn authenticate(
    state: &AppState,
    route: &CompiledRoute,
    ctx: &mut RequestContext,
) -> Result<(), HttpError> {
    match state.bearer_user(&ctx.headers).await {
        Ok(user) => {
            ctx.user = user;
            Ok(())
        }
        Err(BearerError::Rejected(_)) if route.is_published(&ctx.method) => Ok(()),
        Err(BearerError::Rejected(e)) | Err(BearerError::Internal(e)) => Err(e),
    }
}

fn authorize(route: &CompiledRoute, ctx: &RequestContext) -> Result<(), HttpError> {
    if route.is_published(&ctx.method) {
        return Ok(());
    }
    let Some(user) = &ctx.user else {
        return Err(HttpError::unauthorized(
            "UNAUTHORIZED",
            "authentication is required for this route",
        ));
    };
    if user.is_root_admin {
        return Ok(());
    }
    // Route permissions (grants to roles and users) are the only other way in; none is
    // defined yet, so every other user is refused.
    Err(HttpError::forbidden(format!(
        "no permission for {} {}",
        ctx.method, route.pattern
    )))
}
