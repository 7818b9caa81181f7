//! `hookline:plugin/cache`: the user cache and locks through [`crate::cache::CacheService`].
//! Every refusal and every backend failure is a guest-visible `cache-error`; a call never
//! outlives the hook's deadline.

use crate::cache::CacheError as Refusal;
use crate::runtime::HostState;
use crate::runtime::bindings::cache::{self, CacheError};

type Answer<T> = wasmtime::Result<Result<T, CacheError>>;

fn answer<T>(outcome: Result<T, Refusal>) -> Answer<T> {
    Ok(outcome.map_err(|e| CacheError {
        code: e.code().to_owned(),
        message: e.to_string(),
    }))
}

impl cache::Host for HostState {
    async fn get(&mut self, key: String) -> Answer<Option<String>> {
        let service = self.capabilities.cache.clone();
        answer(service.get(&key, self.deadline).await)
    }

    async fn set(&mut self, key: String, value: String, ttl_ms: u64) -> Answer<()> {
        let service = self.capabilities.cache.clone();
        answer(service.set(&key, &value, Some(ttl_ms), self.deadline).await)
    }

    async fn set_no_expire(&mut self, key: String, value: String) -> Answer<()> {
        let service = self.capabilities.cache.clone();
        answer(service.set(&key, &value, None, self.deadline).await)
    }

    async fn acquire(&mut self, key: String, owner: String, ttl_ms: u64) -> Answer<bool> {
        let service = self.capabilities.cache.clone();
        answer(service.acquire(&key, &owner, ttl_ms, self.deadline).await)
    }

    async fn release(&mut self, key: String, owner: String) -> Answer<bool> {
        let service = self.capabilities.cache.clone();
        answer(service.release(&key, &owner, self.deadline).await)
    }

    async fn exists(&mut self, key: String, value: String) -> Answer<bool> {
        let service = self.capabilities.cache.clone();
        answer(service.exists(&key, &value, self.deadline).await)
    }

    async fn delete_key(&mut self, key: String) -> Answer<bool> {
        let service = self.capabilities.cache.clone();
        answer(service.delete(&key, self.deadline).await)
    }
}
