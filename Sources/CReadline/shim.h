// C side of ptune's terminal handling: GNU readline, plus the SIGINT handler.
//
// Swift 6 strict concurrency rejects direct use of C globals (readline's rl_* variables), so every global is
// reached through a static inline accessor below. State that the C callbacks need (the line the callback
// interface delivered, the completion context, the interrupt flag) lives in function-local statics here (Swift
// does not emit a header's file-scope statics). Each Swift source file that calls these functions gets its own
// copy, so the readline functions are called from exactly one Swift file (PTuneREPL/IO/ReadlineReader.swift) and
// the signal functions from exactly one other (PTuneREPL/IO/InterruptMonitor.swift).
#ifndef PTUNE_CREADLINE_SHIM_H
#define PTUNE_CREADLINE_SHIM_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <pthread.h>
#include <readline/readline.h>
#include <readline/history.h>

// MARK: - readline settings

static inline void ptune_rl_set_name(const char *name) { rl_readline_name = strdup(name); }
static inline void ptune_rl_set_catch_signals(int on) { rl_catch_signals = on; rl_catch_sigwinch = on; }
static inline void ptune_rl_set_word_break_characters(const char *chars) { rl_completer_word_break_characters = strdup(chars); }
static inline void ptune_rl_set_completion_function(rl_completion_func_t *f) { rl_attempted_completion_function = f; }
static inline void ptune_rl_set_completion_over(int over) { rl_attempted_completion_over = over; }
static inline void ptune_rl_set_completion_append_character(int c) { rl_completion_append_character = c; }
static inline void ptune_rl_set_completion_suppress_append(int on) { rl_completion_suppress_append = on; }
static inline void ptune_rl_set_completion_query_items(int n) { rl_completion_query_items = n; }
static inline const char *ptune_rl_line_buffer(void) { return rl_line_buffer ? rl_line_buffer : ""; }
static inline int ptune_rl_point(void) { return rl_point; }

// MARK: - completion context (an opaque pointer to the Swift completer, borrowed while the reader lives)

static inline void **ptune_completion_context_slot(void) { static void *context; return &context; }
static inline void ptune_rl_set_completion_context(void *context) { *ptune_completion_context_slot() = context; }
static inline void *ptune_rl_completion_context(void) { return *ptune_completion_context_slot(); }

// MARK: - the callback interface: one line at a time, so the caller can poll for Ctrl-C while waiting

enum { PTUNE_LINE_PENDING = 0, PTUNE_LINE_READY = 1, PTUNE_LINE_EOF = 2 };
struct ptune_line_slot { char *line; int state; };
static inline struct ptune_line_slot *ptune_line_slot(void) { static struct ptune_line_slot slot; return &slot; }

static inline void ptune_rl_line_handler(char *line) {
    ptune_line_slot()->line = line;
    ptune_line_slot()->state = line ? PTUNE_LINE_READY : PTUNE_LINE_EOF;
    // Remove the handler now, so readline does not re-prepare the terminal for another line: the statement runs
    // with the terminal in its normal mode (Ctrl-C raises SIGINT).
    rl_callback_handler_remove();
}
static inline void ptune_rl_begin_line(const char *prompt) {
    ptune_line_slot()->line = NULL;
    ptune_line_slot()->state = PTUNE_LINE_PENDING;
    rl_callback_handler_install(prompt, ptune_rl_line_handler);
}
static inline void ptune_rl_read_char(void) { rl_callback_read_char(); }
static inline int ptune_rl_line_state(void) { return ptune_line_slot()->state; }
/// The finished line (malloc'd; the caller frees it), or NULL at end of input.
static inline char *ptune_rl_take_line(void) { char *line = ptune_line_slot()->line; ptune_line_slot()->line = NULL; return line; }
/// Abandons the line being edited (Ctrl-C at the prompt): shows `^C` after it, moves to a new line, and restores
/// the terminal (in that order: restoring may return the cursor to the start of the line).
static inline void ptune_rl_abandon_line(void) {
    rl_point = rl_end;
    rl_redisplay();
    fputs("^C\n", rl_outstream ? rl_outstream : stdout);
    fflush(rl_outstream ? rl_outstream : stdout);
    rl_free_line_state();
    rl_callback_sigcleanup();
    rl_callback_handler_remove();
    ptune_line_slot()->state = PTUNE_LINE_PENDING;
}

// MARK: - history (in memory; the file is managed in Swift)

static inline void ptune_rl_clear_history(void) { clear_history(); }
static inline void ptune_rl_add_history(const char *line) { add_history(line); }

// MARK: - SIGINT: the handler only counts and wakes the waiting reader (async-signal-safe)

struct ptune_interrupt_state { volatile sig_atomic_t count; volatile sig_atomic_t exit_after; int pipe[2]; };
static inline struct ptune_interrupt_state *ptune_interrupt_state(void) {
    static struct ptune_interrupt_state state = {0, 0, {-1, -1}};
    return &state;
}

static inline void ptune_sigint_handler(int signo) {
    (void)signo;
    int saved = errno;
    struct ptune_interrupt_state *s = ptune_interrupt_state();
    s->count += 1;
    if (s->pipe[1] >= 0) { char byte = 1; ssize_t n = write(s->pipe[1], &byte, 1); (void)n; }
    if (s->exit_after > 1 && s->count == s->exit_after - 1) {
        static const char warning[] = "\nptune: stopping at the next step; press Ctrl-C again to quit now\n";
        ssize_t n = write(2, warning, sizeof warning - 1); (void)n;
    }
    if (s->exit_after > 0 && s->count >= s->exit_after) {
        static const char message[] = "\nptune: interrupted\n";
        ssize_t n = write(2, message, sizeof message - 1); (void)n;
        _exit(130);
    }
    errno = saved;
}

/// Installs the handler; `exit_after` pending interrupts (0: never) end the process at once with status 130.
/// Returns the read end of the wake-up pipe (non-blocking), or -1 on failure.
static inline int ptune_install_sigint(int exit_after) {
    struct ptune_interrupt_state *s = ptune_interrupt_state();
    if (s->pipe[0] < 0) {
        if (pipe(s->pipe) != 0) return -1;
        for (int i = 0; i < 2; i++) {
            fcntl(s->pipe[i], F_SETFL, fcntl(s->pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(s->pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    s->exit_after = exit_after;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = ptune_sigint_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &action, NULL) != 0) return -1;
    // A parent may have left SIGINT blocked (the mask is inherited across exec): Ctrl-C must reach us anyway.
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
    return s->pipe[0];
}

/// Interrupts received since the last reset.
static inline int ptune_interrupt_pending(void) { return ptune_interrupt_state()->count; }

/// Forgets pending interrupts and empties the wake-up pipe.
static inline void ptune_interrupt_reset(void) {
    char buffer[64];
    struct ptune_interrupt_state *s = ptune_interrupt_state();
    if (s->pipe[0] >= 0) { while (read(s->pipe[0], buffer, sizeof buffer) > 0) {} }
    s->count = 0;
}

#endif
