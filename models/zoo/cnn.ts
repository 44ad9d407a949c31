/**
 * Convolutional networks of the zoo, layer for layer as torchvision builds them (so that the
 * parameter counts match torchvision's `sum(p.numel() for p in model.parameters())`):
 * AlexNet, VGG-16, ResNet-18/50, MobileNetV2, EfficientNet-B0, and a binary ResNet-18.
 * Dropout is the identity at inference and is left out; AdaptiveAvgPool2d of AlexNet/VGG is
 * the identity at 224x224 and is left out too (other resolutions: the flatten size changes).
 */
import { GraphBuilder, type BuildOptions } from './builder.ts';
import type { Graph } from '../graph.ts';

export interface CnnParams {
  readonly batch: number;
  readonly resolution: number;
  readonly classes: number;
}

function imageInput(b: GraphBuilder, p: CnnParams): string {
  return b.input('input', [p.batch, 3, p.resolution, p.resolution]);
}

export function alexnet(p: CnnParams, o: BuildOptions): Graph {
  const b = new GraphBuilder('alexnet', o);
  let x = imageInput(b, p);
  const convs: [number, number, number, number, boolean][] = [
    // out, k, stride, pad, maxpool after
    [64, 11, 4, 2, true], [192, 5, 1, 2, true], [384, 3, 1, 1, false], [256, 3, 1, 1, false], [256, 3, 1, 1, true],
  ];
  convs.forEach(([out, k, s, pad, pool], i) => {
    x = b.conv(x, `features.conv${i + 1}`, { out, k, stride: s, pad, bias: true });
    x = b.relu(x, `features.relu${i + 1}`);
    if (pool) x = b.maxpool(x, `features.pool${i + 1}`, 3, 2);
  });
  x = b.flatten(x, 'flatten');
  x = b.relu(b.linear(x, 'classifier.fc1', 4096), 'classifier.relu1');
  x = b.relu(b.linear(x, 'classifier.fc2', 4096), 'classifier.relu2');
  b.output(b.linear(x, 'classifier.fc3', p.classes));
  return b.g;
}

export function vgg16(p: CnnParams, o: BuildOptions): Graph {
  const b = new GraphBuilder('vgg16', o);
  let x = imageInput(b, p);
  const cfg = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
  cfg.forEach((stage, s) => {
    stage.forEach((out, i) => {
      x = b.relu(b.conv(x, `conv${s + 1}_${i + 1}`, { out, k: 3, pad: 1, bias: true }), `relu${s + 1}_${i + 1}`);
    });
    x = b.maxpool(x, `pool${s + 1}`, 2, 2);
  });
  x = b.flatten(x, 'flatten');
  x = b.relu(b.linear(x, 'fc6', 4096), 'relu6');
  x = b.relu(b.linear(x, 'fc7', 4096), 'relu7');
  b.output(b.linear(x, 'fc8', p.classes));
  return b.g;
}

function convBn(b: GraphBuilder, x: string, name: string, out: number, k: number, stride: number, o: { groups?: number; binary?: boolean; pad?: number } = {}): string {
  const c = b.conv(x, `${name}.conv`, { out, k, stride, groups: o.groups, binary: o.binary, pad: o.pad });
  return b.bn(c, `${name}.bn`);
}

/** ResNet-18 / 34 style basic block; `binary` makes its two 3x3 convs binary */
function basicBlock(b: GraphBuilder, x: string, name: string, out: number, stride: number, binary: boolean): string {
  const cin = b.shape(x)[1];
  let y = b.relu(convBn(b, x, `${name}.1`, out, 3, stride, { binary }), `${name}.relu1`);
  y = convBn(b, y, `${name}.2`, out, 3, 1, { binary });
  const short = stride !== 1 || cin !== out ? convBn(b, x, `${name}.downsample`, out, 1, stride) : x;
  return b.relu(b.binary('add', y, short, `${name}.add`), `${name}.relu2`);
}

function bottleneck(b: GraphBuilder, x: string, name: string, width: number, stride: number): string {
  const cin = b.shape(x)[1];
  const out = width * 4;
  let y = b.relu(convBn(b, x, `${name}.1`, width, 1, 1), `${name}.relu1`);
  y = b.relu(convBn(b, y, `${name}.2`, width, 3, stride), `${name}.relu2`); // torchvision v1.5: stride on the 3x3
  y = convBn(b, y, `${name}.3`, out, 1, 1);
  const short = stride !== 1 || cin !== out ? convBn(b, x, `${name}.downsample`, out, 1, stride) : x;
  return b.relu(b.binary('add', y, short, `${name}.add`), `${name}.relu3`);
}

function resnet(name: string, blocks: readonly number[], kind: 'basic' | 'bottleneck' | 'binary', p: CnnParams, o: BuildOptions): Graph {
  const b = new GraphBuilder(name, o);
  let x = imageInput(b, p);
  // first and last layers stay in full precision (BNN practice)
  x = b.relu(convBn(b, x, 'stem', 64, 7, 2), 'stem.relu');
  x = b.maxpool(x, 'maxpool', 3, 2, 1);
  const widths = [64, 128, 256, 512];
  blocks.forEach((n, s) => {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 && s > 0 ? 2 : 1;
      const bn = `layer${s + 1}.${i}`;
      x = kind === 'bottleneck' ? bottleneck(b, x, bn, widths[s], stride) : basicBlock(b, x, bn, widths[s], stride, kind === 'binary');
    }
  });
  x = b.flatten(b.gap(x, 'avgpool'), 'flatten');
  b.output(b.linear(x, 'fc', p.classes));
  return b.g;
}

export const resnet18 = (p: CnnParams, o: BuildOptions) => resnet('resnet18', [2, 2, 2, 2], 'basic', p, o);
export const resnet50 = (p: CnnParams, o: BuildOptions) => resnet('resnet50', [3, 4, 6, 3], 'bottleneck', p, o);
/**
 * Binary ResNet-18 (XNOR-Net / Bi-Real style): the 3x3 convs of the residual blocks are
 * binary (sign activations and weights, a per-output-channel scale); the stem conv, the 1x1
 * downsample convs and the classifier stay in full precision, as BNNs keep them.
 */
export const binaryResnet18 = (p: CnnParams, o: BuildOptions) => resnet('binary_resnet18', [2, 2, 2, 2], 'binary', p, o);

export function mobilenetV2(p: CnnParams, o: BuildOptions): Graph {
  const b = new GraphBuilder('mobilenet_v2', o);
  const relu6 = (x: string, n: string) => b.clip(x, n, 0, 6);
  let x = imageInput(b, p);
  x = relu6(convBn(b, x, 'features.0', 32, 3, 2), 'features.0.relu6');
  const settings = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  let idx = 1;
  for (const [t, c, n, s] of settings) {
    for (let i = 0; i < n; i++) {
      const name = `features.${idx++}`;
      const cin = b.shape(x)[1];
      const stride = i === 0 ? s : 1;
      const hidden = cin * t;
      let y = x;
      if (t !== 1) y = relu6(convBn(b, y, `${name}.expand`, hidden, 1, 1), `${name}.expand.relu6`);
      y = relu6(convBn(b, y, `${name}.dw`, hidden, 3, stride, { groups: hidden }), `${name}.dw.relu6`);
      y = convBn(b, y, `${name}.project`, c, 1, 1);
      x = stride === 1 && cin === c ? b.binary('add', y, x, `${name}.add`) : y;
    }
  }
  x = relu6(convBn(b, x, `features.${idx}`, 1280, 1, 1), `features.${idx}.relu6`);
  x = b.flatten(b.gap(x, 'avgpool'), 'flatten');
  b.output(b.linear(x, 'classifier', p.classes));
  return b.g;
}

export function efficientnetB0(p: CnnParams, o: BuildOptions): Graph {
  const b = new GraphBuilder('efficientnet_b0', o);
  const silu = (x: string, n: string) => b.unary('silu', x, n);
  let x = imageInput(b, p);
  x = silu(convBn(b, x, 'features.0', 32, 3, 2), 'features.0.silu');
  // expand ratio, kernel, stride, out channels, layers (torchvision's MBConvConfig for B0)
  const settings = [[1, 3, 1, 16, 1], [6, 3, 2, 24, 2], [6, 5, 2, 40, 2], [6, 3, 2, 80, 3], [6, 5, 1, 112, 3], [6, 5, 2, 192, 4], [6, 3, 1, 320, 1]];
  settings.forEach(([t, k, s, c, n], stage) => {
    for (let i = 0; i < n; i++) {
      const name = `features.${stage + 1}.${i}`;
      const cin = b.shape(x)[1];
      const stride = i === 0 ? s : 1;
      const hidden = cin * t;
      let y = x;
      if (t !== 1) y = silu(convBn(b, y, `${name}.expand`, hidden, 1, 1), `${name}.expand.silu`);
      y = silu(convBn(b, y, `${name}.dw`, hidden, k, stride, { groups: hidden }), `${name}.dw.silu`);
      // squeeze-and-excitation: squeeze width from the block's input channels
      const sq = Math.max(1, Math.floor(cin / 4));
      let se = b.gap(y, `${name}.se.pool`);
      se = silu(b.conv(se, `${name}.se.fc1`, { out: sq, k: 1, bias: true }), `${name}.se.silu`);
      se = b.unary('sigmoid', b.conv(se, `${name}.se.fc2`, { out: hidden, k: 1, bias: true }), `${name}.se.sigmoid`);
      y = b.binary('mul', y, se, `${name}.se.scale`);
      y = convBn(b, y, `${name}.project`, c, 1, 1);
      x = stride === 1 && cin === c ? b.binary('add', y, x, `${name}.add`) : y;
    }
  });
  x = silu(convBn(b, x, 'features.8', 1280, 1, 1), 'features.8.silu');
  x = b.flatten(b.gap(x, 'avgpool'), 'flatten');
  b.output(b.linear(x, 'classifier', p.classes));
  return b.g;
}
