//! The request lifecycle (spec §1, seed 003). The runner owns the order of the stages and the
//! error semantics — an admission failure answers at once; once hooks start, a failure skips
//! the handler, postHooks still run, and the original error is what the client gets. Stages
//! read and write the one `RequestContext` and never call each other.
//!
//! Order: route detection → pre-auth guards → context setup → authenticate → authorize →
//! post-auth guards → [directives] → preHooks → handler → postHooks → respond. The stages after
//! context setup are [`ADMISSION`]; the directives arrive with their issue and slot in there.
//! Pre-auth guards run on the route, method and client IP alone. The body is read and parsed
//! only after admission ([`body`]): a caller who may not use the route costs no buffering.

mod admission;
pub(crate) mod body;
mod crud;
mod hooks;
mod respond;
mod setup;

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::ALLOW;
use axum::response::{IntoResponse, Response};

use crate::access::{Admission, Position, guards};
use crate::app::AppState;
use crate::error::HttpError;
use crate::routing::RouteMatch;

pub use admission::AdmissionStage;

/// The admission stages in the order they run, before any hook.
pub const ADMISSION: &[AdmissionStage] = &[
    AdmissionStage::Authenticate,
    AdmissionStage::Authorize,
    AdmissionStage::PostAuthGuards,
];

/// Serves one request of the database-defined API.
pub async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let started = Instant::now();
    let table = state.routes.load();
    let (route, params) = match table.lookup(request.method(), request.uri().path()) {
        RouteMatch::Found { route, params } => (route, params),
        RouteMatch::MethodNotAllowed(allowed) => {
            let allow: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
            let mut response = HttpError::new(
                405,
                "METHOD_NOT_ALLOWED",
                format!(
                    "{} is not served here; allowed: {}",
                    request.method(),
                    allow.join(", ")
                ),
            )
            .into_response();
            if let Ok(value) = allow.join(", ").parse() {
                response.headers_mut().insert(ALLOW, value);
            }
            return response;
        }
        RouteMatch::NotFound => {
            return HttpError::not_found(format!("no route for {}", request.uri().path()))
                .into_response();
        }
    };
    drop(table);
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED.into());
    let client_ip = state.access.client_ips.resolve(peer, request.headers());
    let pre_auth = Admission {
        route_id: route.id,
        route_pattern: &route.pattern,
        method: request.method(),
        client_ip,
        user: None,
        deadline: started + route.timeout,
    };
    let guards = state.access.guards.load_full();
    if let Err(e) = guards::check(
        &guards,
        Position::PreAuth,
        &pre_auth,
        &state.backends.limits,
    )
    .await
    {
        return e.into_response();
    }
    drop(guards);
    let (parts, body) = request.into_parts();
    let mut ctx = setup::context(&state, &route, params, client_ip, started, parts);
    for stage in ADMISSION {
        if let Err(e) = stage.run(&state, &route, &mut ctx).await {
            return respond::error(e, ctx.logs);
        }
    }
    let settings = &state.settings;
    if let Err(e) = body::read(
        &mut ctx,
        body,
        settings.max_body_bytes,
        settings.max_json_values,
    )
    .await
    {
        return respond::error(e, ctx.logs);
    }
    let (ctx, failure) = hooks::run(&state, &route, ctx).await;
    match failure {
        Some(error) => respond::error(error, ctx.logs),
        None => respond::success(ctx),
    }
}
