//! `hookline:plugin/context`: the request context resource. Reads copy only the value asked
//! for; writes are checked against the phase (spec §2: body, query and params in preHooks;
//! data, status and headers in the handler and postHooks; share anywhere).

use serde_json::{Map, Value};
use wasmtime::component::Resource;

use super::guest_error;
use crate::runtime::bindings::context::{self, Phase as WitPhase};
use crate::runtime::bindings::types::{ErrorInfo, HookError, User};
use crate::runtime::state::Phase;
use crate::runtime::{ContextHandle, HostState};

type Written = wasmtime::Result<Result<(), HookError>>;

impl HostState {
    fn require_phase(&self, allowed: &[Phase], what: &str) -> Result<(), HookError> {
        if allowed.contains(&self.phase) {
            Ok(())
        } else {
            Err(guest_error(
                500,
                "PHASE_NOT_ALLOWED",
                format!("{what} cannot be changed in this phase ({:?})", self.phase),
            ))
        }
    }
}

fn parse_json(text: &str, what: &str) -> Result<Value, HookError> {
    serde_json::from_str(text).map_err(|e| {
        guest_error(
            500,
            "INVALID_JSON",
            format!("{what} is not valid JSON: {e}"),
        )
    })
}

fn parse_object(text: &str, what: &str) -> Result<Map<String, Value>, HookError> {
    match parse_json(text, what)? {
        Value::Object(map) => Ok(map),
        _ => Err(guest_error(
            500,
            "INVALID_JSON",
            format!("{what} must be a JSON object"),
        )),
    }
}

impl context::Host for HostState {}

impl context::HostRequestContext for HostState {
    fn phase(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<WitPhase> {
        Ok(match self.phase {
            Phase::PreHook => WitPhase::PreHook,
            Phase::Handler => WitPhase::Handler,
            Phase::PostHook => WitPhase::PostHook,
        })
    }

    fn method(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<String> {
        Ok(self.request.method.as_str().to_owned())
    }

    fn path(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<String> {
        Ok(self.request.path.clone())
    }

    fn route(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<String> {
        Ok(self.request.route_pattern.clone())
    }

    fn params(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<String> {
        Ok(serde_json::to_string(&self.request.params)?)
    }

    fn query(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<String> {
        Ok(serde_json::to_string(&self.request.query)?)
    }

    fn header(
        &mut self,
        _: Resource<ContextHandle>,
        name: String,
    ) -> wasmtime::Result<Option<String>> {
        let values: Vec<&str> = self
            .request
            .headers
            .get_all(name.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok((!values.is_empty()).then(|| values.join(", ")))
    }

    fn headers(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<Vec<(String, String)>> {
        Ok(self
            .request
            .headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect())
    }

    fn client_ip(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<String> {
        Ok(self.request.client_ip.to_string())
    }

    fn body(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<String> {
        Ok(self.request.body.to_string())
    }

    fn raw_body(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<Vec<u8>> {
        Ok(self.request.raw_body.to_vec())
    }

    fn user(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<Option<User>> {
        Ok(self.request.user.as_ref().map(|u| User {
            id: u.id,
            email: u.email.clone(),
            role: u.role.clone(),
            is_root_admin: u.is_root_admin,
            verified: u.verified,
            organization: u.organization,
        }))
    }

    fn config(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<String> {
        Ok(self.config.to_string())
    }

    fn share(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<String> {
        Ok(serde_json::to_string(&self.request.share)?)
    }

    fn data(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<String> {
        Ok(self.request.data.to_string())
    }

    fn status(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<u16> {
        Ok(self.request.status)
    }

    fn error(&mut self, _: Resource<ContextHandle>) -> wasmtime::Result<Option<ErrorInfo>> {
        Ok(self.request.error.as_ref().map(|e| ErrorInfo {
            message: e.error.message.clone(),
            name: e.error.name(),
            status_code: e.error.status,
            details: e.error.details.as_ref().map(Value::to_string),
            timestamp: e.timestamp.clone(),
        }))
    }

    fn set_body(&mut self, _: Resource<ContextHandle>, body: String) -> Written {
        Ok((|| {
            self.require_phase(&[Phase::PreHook], "body")?;
            self.request.body = parse_json(&body, "body")?;
            Ok(())
        })())
    }

    fn set_query(&mut self, _: Resource<ContextHandle>, query: String) -> Written {
        Ok((|| {
            self.require_phase(&[Phase::PreHook], "query")?;
            self.request.query = parse_object(&query, "query")?;
            Ok(())
        })())
    }

    fn set_params(&mut self, _: Resource<ContextHandle>, params: String) -> Written {
        Ok((|| {
            self.require_phase(&[Phase::PreHook], "params")?;
            let params = parse_object(&params, "params")?;
            if params.values().any(|v| !v.is_string()) {
                return Err(guest_error(
                    500,
                    "INVALID_PARAMS",
                    "params values must be strings",
                ));
            }
            self.request.params = params;
            Ok(())
        })())
    }

    fn set_share(&mut self, _: Resource<ContextHandle>, share: String) -> Written {
        Ok(parse_object(&share, "share").map(|share| self.request.share = share))
    }

    fn set_data(&mut self, _: Resource<ContextHandle>, data: String) -> Written {
        Ok((|| {
            self.require_phase(&[Phase::Handler, Phase::PostHook], "data")?;
            self.request.data = parse_json(&data, "data")?;
            Ok(())
        })())
    }

    fn set_status(&mut self, _: Resource<ContextHandle>, status: u16) -> Written {
        Ok((|| {
            self.require_phase(&[Phase::Handler, Phase::PostHook], "status")?;
            if !(100..=599).contains(&status) {
                return Err(guest_error(
                    500,
                    "INVALID_STATUS",
                    format!("status {status} is not 100-599"),
                ));
            }
            self.request.status = status;
            Ok(())
        })())
    }

    fn set_header(&mut self, _: Resource<ContextHandle>, name: String, value: String) -> Written {
        Ok((|| {
            self.require_phase(&[Phase::Handler, Phase::PostHook], "headers")?;
            let (name, value) = crate::error::response_header(&name, &value)
                .map_err(|reason| guest_error(500, "INVALID_HEADER", reason))?;
            self.request.response_headers.insert(name, value);
            Ok(())
        })())
    }

    fn drop(&mut self, handle: Resource<ContextHandle>) -> wasmtime::Result<()> {
        self.table().delete(handle)?;
        Ok(())
    }
}
