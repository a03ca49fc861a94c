//! The `parkrules` command line: parses flags and calls the library.

fn main() {
    std::process::exit(2);
}
