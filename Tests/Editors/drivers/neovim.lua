-- Drives a headless Neovim for test_editor_sessions.py, after the user's init.lua (docs/editors.md's) has run.
-- Reads what to do from the JSON file $PTUNE_EDITOR_SPEC: opens each file, waits until Neovim holds diagnostics for
-- it, asks for a hover and a completion through Neovim's own LSP client (cursor placed as a user would, position
-- computed by Neovim), and writes what the editor holds as JSON to the spec's `out`. Always quits.

local spec = vim.fn.json_decode(table.concat(vim.fn.readfile(vim.env.PTUNE_EDITOR_SPEC), "\n"))
local result = { version = vim.version(), files = {} }

local function clients(buf)
  if vim.lsp.get_clients then return vim.lsp.get_clients({ bufnr = buf }) end
  return vim.tbl_values(vim.lsp.buf_get_clients(buf))
end

local function open(path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  local attached = vim.wait(spec.timeout_ms, function() return #clients(buf) > 0 end, 10)
  return buf, attached
end

-- Diagnostics as Neovim holds them, with columns counted in characters (Neovim keeps byte columns).
local function diagnostics(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local line = vim.api.nvim_buf_get_lines(buf, d.lnum, d.lnum + 1, false)[1] or ""
    table.insert(out, {
      line = d.lnum + 1,
      col = vim.fn.strchars(line:sub(1, d.col)) + 1,
      severity = string.lower(vim.diagnostic.severity[d.severity]),
      message = d.message,
    })
  end
  return out
end

-- A request through the buffer's client at the cursor, as Neovim's own commands make it.
local function request(buf, method)
  local client = clients(buf)[1]
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local replies = vim.lsp.buf_request_sync(buf, method, params, spec.timeout_ms) or {}
  local reply = replies[client.id] or {}
  return { position = params.position, result = reply.result, error = reply.err }
end

local function run()
  for _, path in ipairs(spec.files) do
    local buf, attached = open(path)
    local entry = { path = path, filetype = vim.bo[buf].filetype, attached = attached }
    entry.received = attached and vim.wait(spec.timeout_ms, function() return #vim.diagnostic.get(buf) > 0 end, 10)
    entry.diagnostics = diagnostics(buf)
    table.insert(result.files, entry)
    if not entry.received then return end   -- the set-up does not work: no point waiting for every file
  end

  local buf = open(spec.hover.path)
  vim.api.nvim_win_set_cursor(0, { spec.hover.line, spec.hover.column - 1 })
  result.hover = request(buf, "textDocument/hover")

  -- A line typed at the end of the document (sent to the server as changes); still in Insert mode, with the cursor
  -- after the last character typed, a key asks for a completion.
  function _G.ptune_test_complete()
    result.completion = request(buf, "textDocument/completion")
    result.completion.line = vim.api.nvim_win_get_cursor(0)[1]
    result.completion.mode = vim.api.nvim_get_mode().mode
  end
  vim.api.nvim_set_keymap("i", "<F12>", "<Cmd>lua ptune_test_complete()<CR>", { noremap = true })
  local keys = "Go" .. spec.completion.text .. "<F12><Esc>"
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), "x", false)
end

local ok, err = pcall(run)
if not ok then result.error = tostring(err) end
vim.fn.writefile({ vim.fn.json_encode(result) }, spec.out)
vim.cmd("qa!")
