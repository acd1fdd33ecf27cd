/// The `train.py` of an exported project: PyTorch + transformers + PEFT + accelerate, no ptune. Everything the recipe
/// fixed is read from the files beside it (recipe.json, encoder_init.safetensors, data/), so the script itself is the
/// same for every recipe; only its first lines name the recipe it came from.
enum TorchTrainScript {
    /// The script, its docstring naming `recipe` (the `.pt` file and the block's place).
    static func text(recipe: String) -> String {
        header.replacingOccurrences(of: "@RECIPE@", with: recipe)
            + body.replacingOccurrences(of: "@IMPORTS@", with: imports.joined(separator: "\n"))
    }

    /// The script's plain module imports (kept out of the Swift text's own lines, which name Swift modules).
    static let imports = [
        "import argparse, datetime, hashlib, json, math, os, resource, shutil, sys, time", "",
        "import torch", "import torch.nn.functional as F",
    ]

    static let header = #"""
        #!/usr/bin/env python3
        """Trains the prompt encoder of @RECIPE@ with PyTorch + transformers + PEFT,
        as ptune would: the same initial weights, the same rows in every step, the same loss, optimizer, schedule,
        clipping and eval. Written by `ptune export torch`; it does not need ptune.

          python train.py                               one process (CPU, or one GPU)
          accelerate launch train.py                    data parallel (DDP, FSDP, DeepSpeed: `accelerate config`)
          accelerate launch --multi_gpu --num_processes 2 train.py   two processes; on a machine without GPUs, DDP over gloo
          python train.py --model NAME_OR_PATH          another base model (a Hugging Face name or folder)

        recipe.json holds the settings; data/ the rows and the rows of every step; encoder_init.safetensors the
        encoder's weights before the first step. The output folder (--out, default output/) gets the PEFT adapter
        (adapter/), metrics.csv (the loss of every step) and record.json: `ptune runs table output` reads them and
        `import_peft("output/adapter")` loads the adapter.
        """

        """#

    static let body = #"""
        @IMPORTS@
        from accelerate import Accelerator
        from peft import (PrefixTuningConfig, PromptEncoderConfig, PromptEncoderReparameterizationType, PromptTuningConfig,
                          PromptTuningInit, TaskType, get_peft_model)
        from safetensors.torch import load_file
        from transformers import AutoModelForCausalLM, AutoTokenizer

        HERE = os.path.dirname(os.path.abspath(__file__))


        def read_json(name):
            with open(os.path.join(HERE, name), encoding="utf-8") as f:
                return json.load(f)


        def read_jsonl(name):
            with open(os.path.join(HERE, name), encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]


        def arguments(recipe):
            p = argparse.ArgumentParser(description="Train the exported recipe's prompt encoder.")
            p.add_argument("--model", default=recipe["model"]["origin"],
                           help="the base model: a Hugging Face name or folder (default: %(default)s)")
            p.add_argument("--out", default=os.path.join(HERE, "output"), help="the output folder (default: output/)")
            p.add_argument("--steps", type=int, default=None, help="stop after this many steps (default: all of them)")
            a = p.parse_args()
            if not a.model:
                p.error("the recipe's model has no Hugging Face name or folder: pass --model NAME_OR_PATH")
            return a


        def peft_model(recipe, name):
            """The frozen base model with the recipe's prompt encoder, as PEFT builds it, starting from the exported initial weights."""
            base = AutoModelForCausalLM.from_pretrained(name, dtype=torch.float32)
            enc = recipe["encoder"]
            common = dict(task_type=TaskType.CAUSAL_LM, num_virtual_tokens=enc["virtual_tokens"],
                          token_dim=base.config.hidden_size)
            if enc["kind"] == "prefix":
                # PEFT takes the layers and key/value widths from the base model's config.
                projected = enc.get("hidden_size") is not None
                config = PrefixTuningConfig(task_type=TaskType.CAUSAL_LM, num_virtual_tokens=enc["virtual_tokens"],
                                            prefix_projection=projected,
                                            **({"encoder_hidden_size": enc["hidden_size"]} if projected else {}))
            elif enc["kind"] == "embedding":
                config = PromptTuningConfig(**common, prompt_tuning_init=PromptTuningInit.RANDOM)
            else:
                kind = PromptEncoderReparameterizationType.MLP if enc["kind"] == "mlp" else PromptEncoderReparameterizationType.LSTM
                config = PromptEncoderConfig(**common, encoder_reparameterization_type=kind, encoder_hidden_size=enc["hidden_size"],
                                             encoder_num_layers=enc.get("lstm_layers") or 2, encoder_dropout=0.0)
            model = get_peft_model(base, config)
            encoder = model.prompt_encoder["default"]
            init = load_file(os.path.join(HERE, "encoder_init.safetensors"))
            state = encoder.state_dict()
            if set(init) == set(state) and all(init[k].shape == state[k].shape for k in state):
                encoder.load_state_dict(init, strict=True)
            else:
                shapes = lambda d: ", ".join(f"{k} {list(v.shape)}" for k, v in sorted(d.items()))
                print(f"note: {name} takes an encoder of {shapes(state)}, the exported one is {shapes(init)}: "
                      f"the encoder starts from PEFT's own random weights", file=sys.stderr)
            return model


        def render(template, text):
            """The template's text with the example's text in place of {text} (virtual tokens go first, added by PEFT)."""
            return "".join(text if part is None else part for part in template)


        def label_logits(model, sequences, label_ids, virtual, pad_id, device):
            """Logits [B, W] of the label words at each sequence's last token, the virtual tokens before it (right padding)."""
            width = max(len(s) for s in sequences)
            ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(sequences), width), dtype=torch.long)
            for i, s in enumerate(sequences):
                ids[i, :len(s)] = torch.tensor(s, dtype=torch.long)
                mask[i, :len(s)] = 1
            # Only the positions some sequence ends at go through the output layer (logits_to_keep).
            last = [virtual + len(s) - 1 for s in sequences]
            kept = sorted(set(last))
            logits = model(input_ids=ids.to(device), attention_mask=mask.to(device),
                           logits_to_keep=torch.tensor(kept, device=device)).logits
            column = torch.tensor([kept.index(p) for p in last], device=device)
            return logits[torch.arange(len(sequences), device=device), column][:, label_ids]


        def lr_factor(schedule, step):
            """The factor of the base rate at update `step` (0-based), as transformers' get_*_schedule_with_warmup."""
            if schedule is None or schedule["kind"] == "constant":
                return 1.0
            w, n = schedule["warmup"], schedule.get("total", 0)
            if step < w:
                return step / max(1, w)
            if schedule["kind"] == "warmup_constant":
                return 1.0
            if schedule["kind"] == "linear":
                return max(0.0, (n - step) / max(1, n - w))
            progress = (step - w) / max(1, n - w)
            return max(0.0, 0.5 * (1.0 + math.cos(math.pi * schedule["cycles"] * 2.0 * progress)))


        def optimizer_for(recipe, params):
            o, h = recipe["optimizer"], recipe["optimizer"]["hyperparameters"]
            if o["kind"] in ("adam", "adamw"):
                make = torch.optim.AdamW if o["kind"] == "adamw" else torch.optim.Adam
                return make(params, lr=o["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"], weight_decay=h["weight_decay"],
                            foreach=False)
            return torch.optim.SGD(params, lr=o["lr"], momentum=h["momentum"], dampening=h["dampening"],
                                   weight_decay=h["weight_decay"], nesterov=bool(h["nesterov"]), foreach=False)


        def sha256(path):
            with open(path, "rb") as f:
                return hashlib.sha256(f.read()).hexdigest()


        def main():
            recipe = read_json("recipe.json")
            args = arguments(recipe)
            accelerator = Accelerator(cpu=not torch.cuda.is_available())
            rank, world, device = accelerator.process_index, accelerator.num_processes, accelerator.device
            torch.manual_seed(recipe["seed"])
            started, clock = datetime.datetime.now(datetime.timezone.utc), time.time()

            tokenizer = AutoTokenizer.from_pretrained(args.model)
            pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)
            label_ids = []
            for word in recipe["label_words"]:
                ids = tokenizer(word, add_special_tokens=False)["input_ids"]
                if len(ids) != 1:
                    sys.exit(f"train.py: label word {word!r} is {len(ids)} tokens in {args.model}'s tokenizer; it must be one")
                label_ids += ids
            encode = lambda texts: [tokenizer(render(recipe["template"], t), add_special_tokens=False)["input_ids"] for t in texts]
            train = read_jsonl("data/train.jsonl")
            train_ids, train_labels = encode([r["text"] for r in train]), [r["label"] for r in train]
            evals = read_jsonl("data/eval.jsonl") if recipe["eval"] else []
            eval_ids, eval_labels = encode([r["text"] for r in evals]), [r["label"] for r in evals]
            batches = read_json("data/batches.json")
            total = min(len(batches), args.steps or len(batches))

            model = peft_model(recipe, args.model)
            params = [p for p in model.parameters() if p.requires_grad]
            optimizer = optimizer_for(recipe, params)
            # A plain LambdaLR stepped once per update (not prepared: accelerate would step it once per process).
            scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: lr_factor(recipe["schedule"], s))
            model, optimizer = accelerator.prepare(model, optimizer)
            # Virtual tokens before the input shift the answer positions; a prefix lives in the keys and values instead.
            virtual = 0 if recipe["encoder"]["kind"] == "prefix" else recipe["encoder"]["virtual_tokens"]
            encoder = accelerator.unwrap_model(model).prompt_encoder["default"]

            def evaluate():
                """Accuracy of the label words on the eval rows, each process scoring every world-th row."""
                inner = accelerator.unwrap_model(model)
                inner.eval()
                correct = torch.zeros((), dtype=torch.long, device=device)
                mine = list(range(rank, len(eval_ids), world))
                with torch.no_grad():
                    for k in range(0, len(mine), 32):
                        rows = mine[k:k + 32]
                        logits = label_logits(inner, [eval_ids[i] for i in rows], label_ids, virtual, pad_id, device)
                        correct += (logits.argmax(-1).cpu() == torch.tensor([eval_labels[i] for i in rows])).sum().to(device)
                inner.train()
                return accelerator.reduce(correct, reduction="sum").item() / len(eval_ids)

            os.makedirs(args.out, exist_ok=True)
            steps, best, best_step, since_best, best_state = [], None, None, 0, None
            goal_max, patience = recipe["goal"] == "max", recipe["patience"]
            model.train()
            for step in range(1, total + 1):
                rows = batches[step - 1]
                mine, weight = rows[rank::world], 1.0
                if not mine:
                    mine, weight = rows[:1], 0.0  # every process takes part in each step's gradient all-reduce
                logits = label_logits(model, [train_ids[i] for i in mine], label_ids, virtual, pad_id, device)
                target = torch.tensor([train_labels[i] for i in mine], device=device)
                loss_sum = F.cross_entropy(logits, target, reduction="sum") * weight
                # DDP averages the processes' gradients: each scales its share so the average is the batch's mean.
                accelerator.backward(loss_sum * world / len(rows))
                if recipe["clip"] is not None:
                    accelerator.clip_grad_norm_(params, recipe["clip"])
                rate = optimizer.param_groups[0]["lr"]
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                loss = accelerator.reduce(loss_sum.detach(), reduction="sum").item() / len(rows)
                metric = None
                every = recipe["eval_every"]
                if recipe["eval"] and every and (step % every == 0 or step == total):
                    metric = evaluate()
                    improved = best is None or (metric > best if goal_max else metric < best)
                    if improved:
                        best, best_step, since_best = metric, step, 0
                        if recipe["restore_best"]:
                            best_state = {k: v.detach().clone() for k, v in encoder.state_dict().items()}
                    else:
                        since_best += 1
                epoch = (step - 1) // recipe["steps_per_epoch"] + 1
                steps.append((step, epoch, loss, metric, rate))
                log = recipe["log_every"]
                if rank == 0 and log and (step % log == 0 or step == total):
                    shown = f", eval {metric:.4f}" if metric is not None else ""
                    print(f"{recipe['block']}: step {step}/{total}, epoch {epoch}, loss {loss:.4f}{shown}", flush=True)
                if rank == 0 and recipe["checkpoint_every"] and step % recipe["checkpoint_every"] == 0:
                    torch.save({"step": step, "encoder": encoder.state_dict(), "optimizer": optimizer.state_dict(),
                                "scheduler": scheduler.state_dict()}, os.path.join(args.out, recipe["checkpoint_file"]))
                if patience is not None and since_best >= patience:
                    break
            if best_state is not None:
                encoder.load_state_dict(best_state)

            accelerator.wait_for_everyone()
            if rank == 0:
                save(args, recipe, accelerator.unwrap_model(model), steps, total, world, started, clock)
            accelerator.wait_for_everyone()
            if torch.distributed.is_available() and torch.distributed.is_initialized():
                torch.distributed.destroy_process_group()


        def save(args, recipe, model, steps, total, world, started, clock):
            """The adapter, metrics.csv and record.json (ptune's run-record format) in the output folder."""
            adapter = os.path.join(args.out, "adapter")
            model.save_pretrained(adapter)
            with open(os.path.join(args.out, "metrics.csv"), "w", encoding="utf-8") as f:
                f.write("block,step,epoch,loss,eval_name,eval,lr\n")
                for s, e, l, m, r in steps:
                    f.write(f"{recipe['block']},{s},{e},{l!r},{'eval' if m is not None else ''},{'' if m is None else repr(m)},{r!r}\n")
            shutil.copyfile(os.path.abspath(__file__), os.path.join(args.out, "train.py"))
            finished = datetime.datetime.now(datetime.timezone.utc)
            last_eval = next((m for *_, m, _ in reversed(steps) if m is not None), None)
            saved = [os.path.join(adapter, n) for n in sorted(os.listdir(adapter))]
            record = {
                "ptune_version": "train.py exported by ptune " + recipe["ptune_version"], "script": "train.py",
                "script_sha256": sha256(os.path.abspath(__file__)), "script_copy": "train.py", "seed": recipe["seed"],
                "seed_source": "script", "overrides": [], "rerun": ["python", "train.py"] + sys.argv[1:],
                "started": started.strftime("%Y-%m-%dT%H:%M:%SZ"), "finished": finished.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "seconds": time.time() - clock, "exit_status": 0,
                "final_metrics": [{"block": recipe["block"], "step": len(steps), "total_steps": total,
                                   "loss": steps[-1][2] if steps else 0.0,
                                   "eval_name": "eval" if last_eval is not None else None, "eval": last_eval}],
                "metrics_csv": "metrics.csv", "metrics_sha256": sha256(os.path.join(args.out, "metrics.csv")),
                "saved_files": [{"path": os.path.relpath(p, args.out), "sha256": sha256(p), "bytes": os.path.getsize(p)} for p in saved],
                "peak_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "base_model": args.model, "processes": world, "batch_size": recipe["batch_size"],
                "exported_from": recipe["location"],
            }
            with open(os.path.join(args.out, "record.json"), "w", encoding="utf-8") as f:
                json.dump(record, f, indent=2, sort_keys=True)
                f.write("\n")
            print(f"{recipe['block']}: {len(steps)} steps on {world} process{'es' if world > 1 else ''}, loss "
                  f"{steps[0][2]:.4f} -> {steps[-1][2]:.4f}" + (f", eval {last_eval:.4f}" if last_eval is not None else "")
                  + f"; adapter in {adapter}")


        if __name__ == "__main__":
            main()

        """#
}
