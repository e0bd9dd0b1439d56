//! Macro misuse is a compile error at the offending span, with a message
//! saying what to do; the expected messages are checked in beside each case.

#[test]
fn macro_misuse_fails_to_compile_with_a_clear_message() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
}

#[test]
fn a_generic_actor_with_hooks_compiles() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
}
