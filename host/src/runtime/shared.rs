//! Loaded components shared by every plugin version whose binary is the same.
//!
//! Two plugins uploaded with one binary (the same code under two names, or a version
//! re-uploaded) use one [`Component`]: its compiled code and its linear-memory image are mapped
//! once, and the pooling allocator's slot affinity, which keeps a module's image mapped in a
//! slot it used, serves both from the same slots. Otherwise every copy maps the artifact again
//! and its touched pages count again in the process's resident memory.
//!
//! Entries are weak: a component lives as long as a [`super::LoadedPlugin`] holds it, and the
//! map never keeps one of a deleted plugin alive.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use wasmtime::component::Component;

use super::GuestClass;

/// Components by the engine they were compiled for and the binary's sha256.
#[derive(Default)]
pub(crate) struct SharedComponents {
    by_digest: Mutex<HashMap<(GuestClass, String), Weak<Component>>>,
}

impl SharedComponents {
    /// The component already loaded for this binary, if a plugin still holds it.
    pub(crate) fn get(&self, class: GuestClass, sha256: &str) -> Option<Arc<Component>> {
        let map = self.by_digest.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&(class, sha256.to_owned()))?.upgrade()
    }

    /// Records a freshly loaded component and returns the handle plugins hold; drops the
    /// entries no plugin holds any more.
    pub(crate) fn insert(
        &self,
        class: GuestClass,
        sha256: &str,
        component: Component,
    ) -> Arc<Component> {
        let component = Arc::new(component);
        let mut map = self.by_digest.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, held| held.strong_count() > 0);
        map.insert((class, sha256.to_owned()), Arc::downgrade(&component));
        component
    }
}

#[cfg(test)]
mod tests {
    use wasmtime::{Config, Engine};

    use super::*;

    fn component(engine: &Engine) -> Component {
        let bytes = wat::parse_str("(component)").expect("valid text");
        Component::new(engine, bytes).expect("an empty component compiles")
    }

    #[test]
    fn a_component_is_shared_while_held_and_forgotten_after() {
        let mut config = Config::new();
        config.wasm_component_model(true);
        let engine = Engine::new(&config).unwrap();
        let shared = SharedComponents::default();

        assert!(shared.get(GuestClass::Small, "abc").is_none());
        let held = shared.insert(GuestClass::Small, "abc", component(&engine));
        let again = shared.get(GuestClass::Small, "abc").expect("still held");
        assert!(Arc::ptr_eq(&held, &again));
        assert!(shared.get(GuestClass::Large, "abc").is_none(), "per engine");

        drop((held, again));
        assert!(shared.get(GuestClass::Small, "abc").is_none());
        let other = shared.insert(GuestClass::Small, "def", component(&engine));
        assert_eq!(
            shared.by_digest.lock().unwrap().len(),
            1,
            "the dead entry is dropped on the next insert"
        );
        drop(other);
    }
}
