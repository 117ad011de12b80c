// Entry of the `webgpu-mlp` command: parses flags (kebab-case, or the same keys in --config
// JSON), dispatches to train / sweep / evaluate / predict, and turns errors into one line and a
// non-zero exit (the stack only with --verbose).

import { parseArgs } from 'node:util';
import { evaluateCommand, predictCommand, trainCommand } from './commands.js';
import { sweepCommand } from './sweep-command.js';
import { readConfigFile } from './config-file.js';
import { DATASET_NAMES } from './datasets.js';
import { PORTABLE_COMMANDS, portableMain } from './export-commands.js';
import { ACTIVATIONS, OPTIMIZERS } from '../ops/names.js';
import { InputError } from '../util/errors.js';
import { closestKey } from '../util/suggest.js';
import { ExitError } from './train-run.js';

const USAGE = `usage: webgpu-mlp <train|sweep|evaluate|predict|export|import> [flags]

train flags:
  --dataset <${DATASET_NAMES.join('|')}>   (default mnist)
  --label <column>           label column of a CSV dataset
  --layers 256,128           hidden layer widths ('' for none)
  --activation relu          one for all layers or one per layer: ${ACTIVATIONS.join(', ')}
  --loss <name>              mse, mae, huber, bce_logits, softmax_ce, softmax_ce_dense (default by task)
  --optimizer adam           ${OPTIMIZERS.join(', ')}
  --lr 0.001  --batch-size 128  --epochs 5  --weight-decay 0  --dropout 0  --clip-norm <n>
  --schedule constant|step:<steps>[:gamma]|exponential:<gamma>|cosine[:warmup]|plateau[:patience[:factor]]
  --layer-norm  --residual   --validation-split 0 (e.g. 0.1 to hold out 10%)  --normalize minmax|zscore|none  --patience <epochs>
  --samples <n> --noise <x>  (generated datasets)   --limit <rows> (MNIST training rows)
  --checkpoint-every <epochs>  --checkpoint-dir <dir> (default <out>.checkpoint)   Ctrl-C writes a checkpoint too
  --resume <checkpoint dir> --epochs <total>   continue a run exactly where its checkpoint left it
  --seed 0  --backend webgpu|cpu  --out <dir>  --config <file.json>  --json  --verbose
CSV data (train): --categorical a,b  --numeric c  --exclude id,name  --task classification|regression
  --missing impute|drop|error (default impute: drop rows without a label, fill features)  --missing-values NA,?,-999
sweep: train's flags, where --lr, --activation, --weight-decay, --dropout, --clip-norm (and sweep-only
  --momentum, --beta1, --beta2, --alpha, --init) take comma lists: each combination is a configuration, trained once per seed, all models as ONE batch
  --lr 1e-3,3e-3,1e-2 --activation relu,tanh   (on sweep, --activation a,b is a grid over one activation for
  all layers, not one per layer)   --seeds 5 (seeds 0..4) | --seed-list 3,7,11   (default: --seed's value)
  --random <trials> [--random-seed 0] with ranges --lr 1e-4:1e-1 --weight-decay 1e-6:1e-3 (log-uniform)
  --dropout 0:0.5 (uniform), --activation relu,tanh (picked)   --data-order per-model|shared
  --validation-split 0.1 (sweep's default: the table ranks by validation accuracy, or loss for regression)
  --out <dir> (the top configuration's best seed)  --save-all <dir> (every model, as dir/trial-<i>)  --json (one object on stdout)
evaluate: --model <dir> --dataset <name|file.csv|idx folder> [--label col] [--json] [--strict]  (a CSV file is scored whole)
predict:  --model <dir> --input <file.csv> [--output <file.csv>] [--probabilities] [--strict]  (columns matched by name)
export:   --model <dir> --format onnx|pytorch --out <path> [--opset 17|20] [--output probabilities|logits]  (export --help)
import:   --torch <weights.safetensors> --layers 64,32 [--activation relu] --out <dir>  (import --help)`;

const OPTIONS = {
  dataset: { type: 'string' }, label: { type: 'string' }, layers: { type: 'string' }, activation: { type: 'string' },
  loss: { type: 'string' }, optimizer: { type: 'string' }, lr: { type: 'string' }, schedule: { type: 'string' },
  'batch-size': { type: 'string' }, epochs: { type: 'string' }, 'weight-decay': { type: 'string' }, dropout: { type: 'string' },
  'clip-norm': { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string' }, out: { type: 'string' },
  config: { type: 'string' }, json: { type: 'boolean' }, verbose: { type: 'boolean' }, 'layer-norm': { type: 'boolean' },
  residual: { type: 'boolean' }, 'validation-split': { type: 'string' }, normalize: { type: 'string' }, samples: { type: 'string' },
  noise: { type: 'string' }, limit: { type: 'string' }, patience: { type: 'string' }, model: { type: 'string' },
  input: { type: 'string' }, output: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  categorical: { type: 'string' }, numeric: { type: 'string' }, exclude: { type: 'string' }, missing: { type: 'string' },
  'missing-values': { type: 'string' }, task: { type: 'string' }, strict: { type: 'boolean' }, probabilities: { type: 'boolean' },
  'checkpoint-every': { type: 'string' }, 'checkpoint-dir': { type: 'string' }, resume: { type: 'string' },
  // sweep
  seeds: { type: 'string' }, 'seed-list': { type: 'string' }, random: { type: 'string' }, 'random-seed': { type: 'string' },
  'data-order': { type: 'string' }, 'save-all': { type: 'string' }, momentum: { type: 'string' }, beta1: { type: 'string' },
  beta2: { type: 'string' }, alpha: { type: 'string' }, init: { type: 'string' },
} as const;

const camel = (k: string) => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

async function main(argv: string[]): Promise<number> {
  if (PORTABLE_COMMANDS.includes(argv[0])) return portableMain(argv[0], argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    const flag = /'--?([^'=]+)'/.exec((err as Error).message)?.[1];
    const hint = (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag ? closestKey(flag, Object.keys(OPTIONS)) : undefined;
    const message = hint ? `unknown flag --${flag} (did you mean --${hint}?)` : (err as Error).message;
    process.stderr.write(`webgpu-mlp: ${message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return 1;
  }
  const command = positionals[0];
  const verbose = Boolean(values.verbose);
  try {
    if (!['train', 'sweep', 'evaluate', 'predict'].includes(command)) throw new InputError('command', command, 'train, sweep, evaluate or predict');
    // The file is checked strictly (unknown keys, JSON types) before anything else happens.
    const raw: Record<string, unknown> = values.config ? readConfigFile(values.config, command === 'sweep' ? 'sweep' : 'train') : {};
    for (const [k, v] of Object.entries(values)) if (!['config', 'json', 'verbose', 'help'].includes(k)) raw[camel(k)] = v;
    const json = Boolean(values.json);
    if (command === 'train') await trainCommand(raw, json);
    else if (command === 'sweep') await sweepCommand(raw, json);
    else if (command === 'evaluate') await evaluateCommand(raw, json);
    else await predictCommand(raw);
    return 0;
  } catch (err) {
    const e = err as Error;
    if (e instanceof ExitError && e.exitCode === 130) return 130; // train-run.ts or the sweep has said what happened
    process.stderr.write(`webgpu-mlp: ${e.message.split('\n').join(verbose ? '\n' : ' ')}\n`);
    if (verbose && e.stack) process.stderr.write(`${e.stack}\n`);
    return e instanceof ExitError ? e.exitCode : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
