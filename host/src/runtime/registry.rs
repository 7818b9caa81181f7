//! The plugin registry: name → the active version, ready to instantiate. Swapped atomically
//! (`arc-swap`), never mutated under a lock on the request path; a request that already holds
//! a version finishes on it while new requests get the new one.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use arc_swap::ArcSwap;
use wasmtime::component::{Component, InstancePre};

use super::bindings::{handler, post_hook, pre_hook};
use super::inspect::{
    PluginKind, UploadRejection, check_header, initial_memory_bytes, typecheck_export,
};
use super::reuse::KeptInstances;
use super::{GuestClass, HookRuntime, HostState};

/// One plugin version, compiled and pre-linked.
pub struct LoadedPlugin {
    pub name: Arc<str>,
    pub version: i32,
    pub sha256: String,
    pub kinds: Vec<PluginKind>,
    /// The engine it runs on.
    pub class: GuestClass,
    /// Requests one instance may serve (reuse mode); 0 or 1: a fresh instance per call.
    pub reuse: u32,
    pub(crate) kept: KeptInstances,
    /// Shared with every plugin that runs the same binary ([`super::shared`]); holding it keeps
    /// it there.
    #[expect(
        dead_code,
        reason = "held, never read: it keeps the shared component alive"
    )]
    pub(crate) component: Arc<Component>,
    pub(crate) instance_pre: InstancePre<HostState>,
    pub(crate) pre_hook: Option<pre_hook::GuestIndices>,
    pub(crate) handler: Option<handler::GuestIndices>,
    pub(crate) post_hook: Option<post_hook::GuestIndices>,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("kinds", &self.kinds)
            .field("class", &self.class)
            .field("reuse", &self.reuse)
            .finish()
    }
}

impl LoadedPlugin {
    pub fn has_kind(&self, kind: PluginKind) -> bool {
        self.kinds.contains(&kind)
    }
}

impl HookRuntime {
    /// Validates, compiles (or loads from the artifact cache, or takes from another plugin
    /// running the same binary) and pre-links a plugin binary.
    pub fn prepare(
        &self,
        name: &str,
        version: i32,
        sha256: &str,
        binary: &[u8],
    ) -> Result<LoadedPlugin, UploadRejection> {
        check_header(binary)?;
        let memory = initial_memory_bytes(binary).map_err(UploadRejection::Invalid)?;
        let class = GuestClass::of_initial_memory(memory);
        let component = match self.components.get(class, sha256) {
            Some(component) => {
                self.stats.components_shared.fetch_add(1, Ordering::Relaxed);
                component
            }
            None => {
                let component = self
                    .load_component(class, sha256, binary)
                    .map_err(|e| UploadRejection::Invalid(format!("{e:#}")))?;
                self.components.insert(class, sha256, component)
            }
        };
        self.link(name, version, sha256, class, component)
    }

    fn link(
        &self,
        name: &str,
        version: i32,
        sha256: &str,
        class: GuestClass,
        component: Arc<Component>,
    ) -> Result<LoadedPlugin, UploadRejection> {
        let instance_pre = self
            .class_engine(class)
            .linker
            .instantiate_pre(&component)
            .map_err(|e| UploadRejection::UnsatisfiedImports(format!("{e:#}")))?;
        let kinds = self.exported_kinds(&component);
        if kinds.is_empty() {
            return Err(UploadRejection::NoHookExports);
        }
        for kind in &kinds {
            typecheck_export(&instance_pre, *kind)?;
        }
        let mismatch = |kind: PluginKind| {
            move |e: wasmtime::Error| UploadRejection::ExportMismatch {
                export: kind.export_name(),
                reason: format!("{e:#}"),
            }
        };
        let has = |kind| kinds.contains(&kind);
        let pre_hook = has(PluginKind::PreHook)
            .then(|| pre_hook::GuestIndices::new(&instance_pre))
            .transpose()
            .map_err(mismatch(PluginKind::PreHook))?;
        let handler = has(PluginKind::Handler)
            .then(|| handler::GuestIndices::new(&instance_pre))
            .transpose()
            .map_err(mismatch(PluginKind::Handler))?;
        let post_hook = has(PluginKind::PostHook)
            .then(|| post_hook::GuestIndices::new(&instance_pre))
            .transpose()
            .map_err(mismatch(PluginKind::PostHook))?;
        Ok(LoadedPlugin {
            name: name.into(),
            version,
            sha256: sha256.to_owned(),
            kinds,
            class,
            reuse: 0,
            kept: KeptInstances::new(self.kept_limits.clone()),
            component,
            instance_pre,
            pre_hook,
            handler,
            post_hook,
        })
    }
}

/// Active plugin versions by name.
#[derive(Default)]
pub struct PluginRegistry {
    active: ArcSwap<HashMap<Arc<str>, Arc<LoadedPlugin>>>,
}

impl std::fmt::Debug for PluginRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginRegistry")
            .field("plugins", &self.active.load().len())
            .finish()
    }
}

impl PluginRegistry {
    pub fn get(&self, name: &str) -> Option<Arc<LoadedPlugin>> {
        self.active.load().get(name).cloned()
    }

    /// Makes `plugin` the active version of its name for every request that starts from now.
    pub fn activate(&self, plugin: LoadedPlugin) {
        let plugin = Arc::new(plugin);
        self.active.rcu(|current| {
            let mut next = HashMap::clone(current);
            next.insert(plugin.name.clone(), plugin.clone());
            next
        });
    }

    /// The names of the active plugins.
    pub fn names(&self) -> Vec<Arc<str>> {
        self.active.load().keys().cloned().collect()
    }

    pub fn remove(&self, name: &str) {
        self.active.rcu(|current| {
            let mut next = HashMap::clone(current);
            next.remove(name);
            next
        });
    }
}
