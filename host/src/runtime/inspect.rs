//! What an uploaded binary is: a component (not a core module, not a precompiled artifact)
//! whose imports Hookline can satisfy and whose exports match a known world. Every rejection
//! has its own stable code; nothing here touches the database.

use serde::{Deserialize, Serialize};
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, InstancePre, Resource};

use super::bindings::types::HookError;
use super::{ContextHandle, HookRuntime, HostState};
use crate::error::HttpError;

/// The export names of the three hook kinds, as a component spells them.
pub const PRE_HOOK_EXPORT: &str = "hookline:plugin/pre-hook@0.1.0";
pub const HANDLER_EXPORT: &str = "hookline:plugin/handler@0.1.0";
pub const POST_HOOK_EXPORT: &str = "hookline:plugin/post-hook@0.1.0";

/// A kind of entry point a plugin exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PluginKind {
    PreHook,
    Handler,
    PostHook,
}

impl PluginKind {
    pub fn export_name(self) -> &'static str {
        match self {
            PluginKind::PreHook => PRE_HOOK_EXPORT,
            PluginKind::Handler => HANDLER_EXPORT,
            PluginKind::PostHook => POST_HOOK_EXPORT,
        }
    }

    pub const ALL: [PluginKind; 3] = [
        PluginKind::PreHook,
        PluginKind::Handler,
        PluginKind::PostHook,
    ];
}

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadRejection {
    #[error("the plugin binary is empty")]
    Empty,
    #[error("the binary is not WebAssembly")]
    NotWasm,
    #[error(
        "the binary is a core WebAssembly module; upload a component (build for wasm32-wasip2 or run `wasm-tools component new`)"
    )]
    CoreModule,
    #[error("precompiled artifacts are not accepted; upload the component itself")]
    Precompiled,
    #[error("the component is invalid: {0}")]
    Invalid(String),
    #[error("the component imports what Hookline does not provide: {0}")]
    UnsatisfiedImports(String),
    #[error(
        "the component exports none of {PRE_HOOK_EXPORT}, {HANDLER_EXPORT}, {POST_HOOK_EXPORT}"
    )]
    NoHookExports,
    #[error("the export {export} does not match the hookline:plugin@0.1.0 signature: {reason}")]
    ExportMismatch {
        export: &'static str,
        reason: String,
    },
}

impl From<UploadRejection> for HttpError {
    fn from(r: UploadRejection) -> Self {
        let (status, code) = match &r {
            UploadRejection::Empty => (400, "EMPTY_PLUGIN"),
            UploadRejection::NotWasm => (400, "NOT_WASM"),
            UploadRejection::CoreModule => (422, "NOT_A_COMPONENT"),
            UploadRejection::Precompiled => (422, "PRECOMPILED_NOT_ACCEPTED"),
            UploadRejection::Invalid(_) => (422, "INVALID_COMPONENT"),
            UploadRejection::UnsatisfiedImports(_) => (422, "UNSATISFIED_IMPORTS"),
            UploadRejection::NoHookExports => (422, "NO_HOOK_EXPORTS"),
            UploadRejection::ExportMismatch { .. } => (422, "EXPORT_MISMATCH"),
        };
        HttpError::new(status, code, r.to_string())
    }
}

const WASM_MAGIC: &[u8] = b"\0asm";
/// Version/layer word of a core module (version 1, layer 0).
const CORE_MODULE_VERSION: &[u8] = &[0x01, 0x00, 0x00, 0x00];

/// Cheap checks on the bytes before anything is compiled.
pub fn check_header(bytes: &[u8]) -> Result<(), UploadRejection> {
    if bytes.is_empty() {
        return Err(UploadRejection::Empty);
    }
    if wasmtime::Engine::detect_precompiled(bytes).is_some() {
        return Err(UploadRejection::Precompiled);
    }
    if bytes.len() < 8 || &bytes[..4] != WASM_MAGIC {
        return Err(UploadRejection::NotWasm);
    }
    if &bytes[4..8] == CORE_MODULE_VERSION {
        return Err(UploadRejection::CoreModule);
    }
    Ok(())
}

/// The largest initial size, in bytes, of a linear memory the component's core modules
/// define (imported memories are someone else's). Reads the sections only; nothing is
/// validated or compiled. A binary that does not parse is invalid.
pub fn initial_memory_bytes(bytes: &[u8]) -> Result<u64, String> {
    let mut largest = 0u64;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let wasmparser::Payload::MemorySection(memories) =
            payload.map_err(|e| e.message().to_owned())?
        {
            for memory in memories {
                let memory = memory.map_err(|e| e.message().to_owned())?;
                let page = memory.page_size_log2.map_or(65_536u64, |log2| 1 << log2);
                largest = largest.max(memory.initial.saturating_mul(page));
            }
        }
    }
    Ok(largest)
}

/// Checks that `kind`'s export of `instance_pre` has the WIT signature the host calls, so a
/// mismatch is an upload error rather than a failure of the first request.
pub fn typecheck_export(
    instance_pre: &InstancePre<HostState>,
    kind: PluginKind,
) -> Result<(), UploadRejection> {
    let component = instance_pre.component();
    let instance_type = instance_pre.instance_type();
    let fail = |reason: String| UploadRejection::ExportMismatch {
        export: kind.export_name(),
        reason,
    };
    let (_, interface) = component
        .get_export(None, kind.export_name())
        .ok_or_else(|| fail("not exported".into()))?;
    let function = match kind {
        PluginKind::PreHook | PluginKind::PostHook => "run",
        PluginKind::Handler => "handle",
    };
    let Some((ComponentItem::ComponentFunc(func), _)) =
        component.get_export(Some(&interface), function)
    else {
        return Err(fail(format!("no function `{function}`")));
    };
    type Ctx = (Resource<ContextHandle>,);
    let checked = match kind {
        PluginKind::PreHook => {
            func.typecheck::<Ctx, (Result<Option<String>, HookError>,)>(&instance_type)
        }
        PluginKind::Handler => func.typecheck::<Ctx, (Result<String, HookError>,)>(&instance_type),
        PluginKind::PostHook => func.typecheck::<Ctx, (Result<(), HookError>,)>(&instance_type),
    };
    checked.map_err(|e| fail(format!("`{function}`: {e:#}")))
}

impl HookRuntime {
    /// The hook kinds `component` exports.
    pub(crate) fn exported_kinds(&self, component: &Component) -> Vec<PluginKind> {
        let ty = component.component_type();
        PluginKind::ALL
            .into_iter()
            .filter(|kind| {
                ty.get_export(component.engine(), kind.export_name())
                    .is_some()
            })
            .collect()
    }
}
