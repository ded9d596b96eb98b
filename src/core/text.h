/*
 * text.h — the rule for free text a user gives (names, addresses, notes),
 * over the HTTP API and on the command line alike.
 *
 * Text must be valid UTF-8 (no overlong forms, no surrogates, nothing past
 * U+10FFFF, no noncharacters) without C0/C1 control characters or DEL, and
 * without the bidi embeddings, overrides and isolates (U+202A..U+202E,
 * U+2066..U+2069) that would make a name in a list or a letter show
 * otherwise than it reads ("Trojan Source").  The marks U+200E/U+200F stay
 * allowed: they reorder nothing around them.
 */
#ifndef PM_TEXT_H
#define PM_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) follows the rule above. */
bool text_is_clean(const char *s, size_t len);

#endif
