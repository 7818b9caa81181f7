use super::*;

fn kinds(input: &str) -> Vec<HookKind> {
    let spec: ExportSpec = syn::parse_str(input).unwrap();
    spec.hooks.into_iter().map(|(kind, _)| kind).collect()
}

fn error(input: &str) -> String {
    match syn::parse_str::<ExportSpec>(input) {
        Ok(_) => panic!("`{input}` was accepted"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn hooks_come_out_in_lifecycle_order_whatever_the_input_order() {
    assert_eq!(
        kinds("post_hook: after, pre_hook: before, handler: handle"),
        [HookKind::PreHook, HookKind::Handler, HookKind::PostHook]
    );
}

#[test]
fn any_single_hook_and_a_trailing_comma_are_accepted() {
    assert_eq!(kinds("handler: handle,"), [HookKind::Handler]);
    assert_eq!(kinds("post_hook: after"), [HookKind::PostHook]);
}

#[test]
fn functions_may_be_named_by_path() {
    let spec: ExportSpec = syn::parse_str("handler: crate::routes::handle").unwrap();

    assert_eq!(spec.hooks[0].1.segments.len(), 3);
}

#[test]
fn an_empty_list_is_rejected() {
    assert!(error("").contains("at least one hook"));
}

#[test]
fn a_hook_given_twice_is_rejected() {
    assert!(error("handler: a, handler: b").contains("`handler` is given twice"));
}

#[test]
fn an_unknown_key_is_rejected() {
    assert!(error("prehook: before").contains("expected `pre_hook`, `handler` or `post_hook`"));
}
