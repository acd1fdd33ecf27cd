import PTuneCore

extension CodeGen {
    /// Compiles one checked statement.
    static func statement(_ s: CheckedStmt) -> Exec {
        switch s {
        case .nothing:
            return { _ in .next }
        case let .seed(value, span, valueSpan):
            let code = expression(value)
            return { m in
                let v: Value
                do { v = try code(m) } catch { throw RuntimeFailure.located(error, at: span) }
                guard case let .number(x) = v, let n = Value.exactInt(x), n >= 0 else {
                    throw RuntimeFailure(.notInteger(context: "the seed", value: v.debugText), at: valueSpan)
                }
                m.reseed(UInt64(n), at: span)
                return .next
            }
        case let .dtype(d):
            return { m in m.defaultDType = d; return .next }
        case let .declare(value, valueSpan, kind, name, dtype, slot):
            let code = expression(value)
            let store = write(slot)
            return { m in
                let v: Value
                do { v = try code(m) } catch { throw RuntimeFailure.located(error, at: valueSpan) }
                do { store(m, try kind.stored(v, name: name, dtype: dtype)) } catch { throw RuntimeFailure.located(error, at: valueSpan) }
                return .next
            }
        case let .function(f, slot):
            let make = closure(f, f.span)
            let store = write(slot)
            return { m in
                store(m, try make(m))
                return .next
            }
        case let .functionGroup(fs, slots):
            let functions = fs.map(function)
            let sources = fs.map { f in f.captures.map { CodeBox(code: load($0, f.span)) } }
            let stores = slots.map(write)
            return { m in
                var captured: [[Value]] = []
                captured.reserveCapacity(sources.count)
                for s in sources { captured.append(try s.map { try $0.code(m) }) }
                let group = FunctionGroup(functions: functions, captures: captured)
                for (k, store) in stores.enumerated() {
                    guard let member = group.member(k) else { continue }
                    store(m, .function(member))
                }
                return .next
            }
        case let .ifElse(cond, condSpan, then, otherwise):
            let c = expression(cond)
            let a = block(then)
            if let b = otherwise.map(block) {
                return { m in try Control.truth(c, m, condSpan) ? try a(m) : try b(m) }
            }
            return { m in try Control.truth(c, m, condSpan) ? try a(m) : .next }
        case let .forIn(slot, iterable, span, body):
            let it = expression(iterable)
            let b = block(body)
            return { m in
                let sequence: Value
                do { sequence = try it(m) } catch { throw RuntimeFailure.located(error, at: span) }
                return try Control.forIn(sequence, slot: slot, b, m, span)
            }
        case let .whileLoop(cond, condSpan, body):
            let c = expression(cond)
            let b = block(body)
            return { m in try Control.whileLoop(c, condSpan, b, m) }
        case let .train(t, result):
            let spec = t.map { expression($0) }
            let store = result.map(write)
            var bindsGlobal = false
            if case .global? = result { bindsGlobal = true }
            return { [bindsGlobal] m in
                if m.capturesTraining {
                    // An export reads the block instead of running it, and the script stops here.
                    var export = TrainExport(spec: spec, block: t, m: m)
                    m.capturedTraining = try export.capture()
                    throw RuntimeFailure(.trainingCaptured(spec.name), at: t.span)
                }
                do {
                    let history = try TrainRun(spec: spec, m: m).run()
                    store?(m, history)
                } catch let stopped as TrainRun.Stopped {
                    // The steps that finished stay in the history: `run` is bound even though the block stopped.
                    store?(m, stopped.history)
                    var failure = stopped.failure
                    failure.keepsBindings = bindsGlobal
                    throw failure
                }
                return .next
            }
        case let .print(items, span):
            let codes = items.map { CodeBox(code: expression($0)) }
            return { m in
                var parts: [String] = []
                parts.reserveCapacity(codes.count)
                for c in codes {
                    do { parts.append(try c.code(m).printed()) } catch { throw RuntimeFailure.located(error, at: span) }
                }
                m.output.write(parts.joined(separator: " "))
                return .next
            }
        case let .assert(cond, condSpan, message, span):
            let c = expression(cond)
            let msg = message.map { expression($0) }
            return { m in
                if try Control.truth(c, m, condSpan) { return .next }
                let text = try msg.map { try $0(m).description }
                throw RuntimeFailure(.assertionFailed(text), at: span)
            }
        case let .save(what, path, name, span):
            let wc = expression(what), pc = expression(path)
            return { m in
                do {
                    let v = try wc(m)
                    guard case let .string(given) = try pc(m) else {
                        throw RuntimeFailure(.wrongKind(context: "'save … to'", expected: "a path string", got: "something else"))
                    }
                    try Persistence.save(v, name: name, to: given, files: m.files)
                } catch { throw RuntimeFailure.located(error, at: span) }
                return .next
            }
        case let .load(slot, name, nameSpan, path, span):
            let current = load(slot, nameSpan), pc = expression(path), replace = write(slot)
            return { m in
                do {
                    guard case let .string(given) = try pc(m) else {
                        throw RuntimeFailure(.wrongKind(context: "'load … from'", expected: "a path string", got: "something else"))
                    }
                    if let v = try Persistence.load(into: try current(m), name: name, from: given, files: m.files) { replace(m, v) }
                } catch { throw RuntimeFailure.located(error, at: span) }
                return .next
            }
        case let .importFile(statements):
            let steps = program(statements).map { ($0.exec, $0.value) }
            return { m in
                for (exec, value) in steps {
                    if let value { _ = try value(m) } else { _ = try exec(m) }
                }
                return .next
            }
        case let .returnValue(value):
            guard let value else { return { m in m.returnValue = .none; return .returned } }
            let code = expression(value)
            return { m in m.returnValue = try code(m); return .returned }
        case .breakLoop:
            return { _ in .breakLoop }
        case .continueLoop:
            return { _ in .continueLoop }
        case let .assign(slot, value, span):
            return store(slot, expression(value), span)
        case let .updateParam(target, op, value, span):
            let load = expression(target), valueCode = expression(value)
            return { m in
                do {
                    guard case let .param(p) = try load(m) else { throw RuntimeFailure(.internalError("param slot holds no param")) }
                    try p.update(op, try valueCode(m))
                } catch { throw RuntimeFailure.located(error, at: span) }
                return .next
            }
        case let .setMember(base, member, op, value, span):
            let recvCode = expression(base), valueCode = expression(value)
            return { m in
                let r = try recvCode(m)
                var v = try valueCode(m)
                do {
                    if let op { v = try Operators.binary(op, try Members.property(r, member), v, dtype: m.defaultDType) }
                    try Members.setProperty(r, member, v)
                } catch { throw RuntimeFailure.located(error, at: span) }
                return .next
            }
        case let .evaluate(e):
            let code = expression(e)
            return { m in _ = try code(m); return .next }
        }
    }

    /// Code that makes the function value of `f` in the running frame: the compiled function itself when it
    /// captures nothing, else a copy holding the values it captures as they are now.
    static func closure(_ f: CheckedFunction, _ span: SourceSpan) -> Code {
        let fn = function(f)
        guard !f.captures.isEmpty else { return { _ in .function(fn) } }
        let sources = f.captures.map { CodeBox(code: load($0, span)) }
        return { m in
            var values: [Value] = []
            values.reserveCapacity(sources.count)
            for s in sources { values.append(try s.code(m)) }
            return .function(fn.closing(over: values))
        }
    }

    /// A function declared with `fn`, its body compiled.
    static func function(_ f: CheckedFunction) -> UserFunction {
        let body: Code
        switch f.body {
        case let .expression(e):
            body = expression(e)
        case let .block(stmts):
            let b = block(stmts)
            body = { m in
                let flow = try b(m)
                guard case .returned = flow else { return .none }
                let v = m.returnValue
                m.returnValue = .none
                return v
            }
        }
        let function = UserFunction(name: f.name, parameterNames: f.parameterNames, defaults: f.parameterDefaults,
                                    frameSize: f.frameSize, span: f.span, body: body)
        function.checked = f
        return function
    }
}
