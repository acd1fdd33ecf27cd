;;; emacs.el --- drives Emacs in batch mode for test_editor_sessions.py  -*- lexical-binding: t -*-

;; Loaded after the user's init (docs/editors.md's ptune-mode and its eglot or lsp-mode set-up). Reads what to do
;; from the JSON file $PTUNE_EDITOR_SPEC: visits each file, lets the command loop's and redisplay's hooks and the idle
;; timers run (batch Emacs has neither, and eglot-ensure, lsp-deferred and Flymake start from there), waits until Flymake
;; holds diagnostics, asks for a hover at a place through the client's own request function and position, completes
;; at the end of a typed line through `completion-at-point-functions', and writes what the editor holds as JSON to
;; the spec's `out'. Always exits.

(require 'json)
(require 'flymake)

(defvar ptune-test-spec
  (with-temp-buffer
    (insert-file-contents (getenv "PTUNE_EDITOR_SPEC"))
    (json-parse-buffer :object-type 'alist :array-type 'list)))

(defun ptune-test-get (key)
  (alist-get key ptune-test-spec))

(defun ptune-test-idle ()
  "What the command loop and redisplay do between two keys: the post-command hooks, the hooks of a changed window
configuration (a buffer newly shown), then the idle timers."
  (accept-process-output nil 0.02)
  (run-hooks 'post-command-hook)
  (run-window-configuration-change-hook)
  (dolist (timer (copy-sequence timer-idle-list))
    ;; The handler takes the timer off the list (and puts a repeating one back); one already cancelled is skipped.
    (timer-event-handler timer)))

(defun ptune-test-wait (predicate)
  "Lets the editor run until PREDICATE returns non-nil, or the spec's time-out; returns its value."
  (let ((deadline (+ (float-time) (/ (ptune-test-get 'timeout_ms) 1000.0)))
        value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (ptune-test-idle))
    value))

(defun ptune-test-client ()
  "Which client manages the current buffer, if one does."
  (cond ((and (fboundp 'eglot-current-server) (eglot-current-server)) 'eglot)
        ((and (bound-and-true-p lsp-mode) (lsp-workspaces)) 'lsp-mode)))

(defun ptune-test-severity (type)
  (let ((name (symbol-name type)))
    (cond ((string-match-p "error" name) "error")
          ((string-match-p "warning" name) "warning")
          (t "note"))))

(defun ptune-test-diagnostics ()
  "Flymake's diagnostics of the current buffer: line, column in characters (both from 1), severity, message."
  (mapcar (lambda (d)
            (let ((beg (flymake-diagnostic-beg d)))
              (save-excursion
                (goto-char beg)
                `((line . ,(line-number-at-pos beg))
                  (col . ,(1+ (- beg (line-beginning-position))))
                  (severity . ,(ptune-test-severity (flymake-diagnostic-type d)))
                  (message . ,(flymake-diagnostic-text d))))))
          (sort (flymake-diagnostics) (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b))))))

(defun ptune-test-visit (path)
  (switch-to-buffer (find-file-noselect path))
  (ptune-test-wait #'ptune-test-client))

(defun ptune-test-hover ()
  "The hover at point, asked through the client's own request function with the position it computes, as JSON."
  (pcase (ptune-test-client)
    ('eglot (json-encode (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover
                                          (eglot--TextDocumentPositionParams))))
    ('lsp-mode (json-encode (lsp-request "textDocument/hover" (lsp--text-document-position-params))))))

(defun ptune-test-run ()
  (let (files (working t))
    (dolist (path (ptune-test-get 'files))
      ;; Once a file gets no diagnostics the set-up does not work: no point waiting for every file.
      (when working
        (let* ((client (ptune-test-visit path))
               (received (and client (ptune-test-wait #'flymake-diagnostics))))
          (setq working received)
          (push `((path . ,path)
                  (mode . ,(symbol-name major-mode))
                  (client . ,(and client (symbol-name client)))
                  (received . ,(if received t :json-false))
                  (diagnostics . ,(vconcat (ptune-test-diagnostics))))
                files))))
    (let* ((hover (ptune-test-get 'hover))
           (completion (ptune-test-get 'completion))
           (client (ptune-test-visit (alist-get 'path hover))))
      (goto-char (point-min))
      (forward-line (1- (alist-get 'line hover)))
      (forward-char (1- (alist-get 'column hover)))
      (let ((hover-json (ptune-test-hover)))
        ;; A line typed at the end of the document, point after its last character.
        (goto-char (point-max))
        (insert (alist-get 'text completion) "\n")
        (forward-char -1)
        ;; A pause after typing, in which the client sends the change.
        (ptune-test-idle)
        (ptune-test-idle)
        (let* ((capf (run-hook-with-args-until-success 'completion-at-point-functions))
               (candidates (and capf (all-completions (buffer-substring-no-properties (nth 0 capf) (nth 1 capf))
                                                      (nth 2 capf)))))
          `((client . ,(and client (symbol-name client)))
            (files . ,(vconcat (nreverse files)))
            (hover . ,hover-json)
            (completion . ((line . ,(line-number-at-pos))
                           (prefix . ,(and capf (buffer-substring-no-properties (nth 0 capf) (nth 1 capf))))
                           (candidates . ,(vconcat (mapcar #'substring-no-properties candidates)))))))))))

(let ((result (condition-case err
                  (ptune-test-run)
                (error `((error . ,(error-message-string err)))))))
  (with-temp-file (ptune-test-get 'out)
    (insert (json-encode result))))
(kill-emacs 0)
