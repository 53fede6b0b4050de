#!/usr/bin/env node
/**
 * postinstall: rebuilds hnswlib-node's addon with the CPU's SIMD flags (-O3 -march=native).
 * npm's build of hnswlib-node compiles without -m flags, so hnswlib's distance kernels fall
 * back to SSE; with AVX2/AVX-512 searches and builds run ~1.3–1.8× faster (docs/vector-search.md).
 *
 * Robust by construction: it builds in a scratch copy inside node_modules (so node-addon-api
 * resolves, offline: node-gyp uses the headers npm already used), test-loads the new addon in a
 * child process, and only then renames it over the portable one. Any failure (no compiler
 * support, no node-gyp, build error, load error) leaves the portable addon in place and exits 0.
 * TESSERA_PORTABLE_HNSWLIB=1 skips it (e.g. when node_modules will be copied to other CPUs).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = path.join(root, 'node_modules', 'hnswlib-node');
const addon = path.join(pkgDir, 'build', 'Release', 'addon.node');
const scratch = path.join(root, 'node_modules', '.tessera-hnswlib-simd');
const FLAGS = '-O3 -march=native';
const log = (msg) => console.log(`[hnswlib-simd] ${msg}`);

function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch { /* not installed locally */ }
  const npmDir = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  candidates.push(npmDir, '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  return candidates.find((c) => c && fs.existsSync(c));
}

function compilerSupports(flags) {
  const cxx = process.env.CXX || 'c++';
  const r = spawnSync(cxx, [...flags.split(' '), '-x', 'c++', '-E', '-'], { input: 'int main(){}', stdio: ['pipe', 'ignore', 'ignore'] });
  return r.status === 0;
}

/**
 * Adds HierarchicalNSW.addPointsParallel (scripts/hnswlib-parallel.cc) to the addon's source:
 * one graph built on several threads (the build worker uses it when present), and a lock
 * around hnswlib's level draw. The anchors are hnswlib-node 3.0's; if one is not found the
 * sources are left as they are (no parallel builds).
 */
function patchParallelAdd(file) {
  let src = fs.readFileSync(file, 'utf8');
  const method = fs.readFileSync(path.join(root, 'scripts', 'hnswlib-parallel.cc'), 'utf8');
  const anchors = ['#include <vector>\n', '      InstanceMethod("addPoint", &HierarchicalNSW::addPoint),\n', '  Napi::Value markDelete(const Napi::CallbackInfo& info) {\n'];
  if (!anchors.every((a) => src.split(a).length === 2)) return log('addon source not as expected: no parallel graph builds');
  src = src.replace(anchors[0], `${anchors[0]}#include <algorithm>\n#include <atomic>\n#include <mutex>\n#include <thread>\n`);
  src = src.replace(anchors[1], `${anchors[1]}      InstanceMethod("addPointsParallel", &HierarchicalNSW::addPointsParallel),\n`);
  src = src.replace(anchors[2], `${method}${anchors[2]}`);
  // hnswlib draws each new element's level from one generator under the element's own lock
  // only: with several inserting threads that is a data race. One lock around the draw.
  const header = path.join(path.dirname(file), 'hnswlib', 'hnswalg.h');
  const draw = '        double r = -log(distribution(level_generator_)) * reverse_size;\n';
  let alg = fs.readFileSync(header, 'utf8');
  if (alg.split(draw).length !== 2) return log('hnswalg.h not as expected: no parallel graph builds');
  alg = alg.replace(draw, `        static std::mutex tessera_level_lock;\n        std::lock_guard<std::mutex> tessera_level_guard(tessera_level_lock);\n${draw}`);
  fs.writeFileSync(header, alg);
  fs.writeFileSync(file, src);
}

function main() {
  if (process.env.TESSERA_PORTABLE_HNSWLIB === '1') return log('TESSERA_PORTABLE_HNSWLIB=1: keeping the portable build');
  if (!fs.existsSync(addon)) return log('hnswlib-node is not built; nothing to do');
  if (process.arch !== 'x64' && process.arch !== 'arm64') return log(`arch ${process.arch}: keeping the portable build`);
  if (!compilerSupports(FLAGS)) return log(`the C++ compiler does not accept ${FLAGS}; keeping the portable build`);
  const gyp = nodeGyp();
  if (gyp === undefined) return log('node-gyp not found; keeping the portable build');
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.cpSync(pkgDir, scratch, { recursive: true, filter: (src) => !src.includes(`${path.sep}build${path.sep}`) && !src.endsWith(`${path.sep}build`) });
  patchParallelAdd(path.join(scratch, 'src', 'addon.cc'));
  const args = [gyp, 'rebuild'];
  // Offline: the headers npm built with (npm_config_nodedir), else the running node's own include/ when present.
  const prefix = path.join(path.dirname(process.execPath), '..');
  const nodedir = process.env.npm_config_nodedir || (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const r = spawnSync(process.execPath, args, { cwd: scratch, env: { ...process.env, CXXFLAGS: `${process.env.CXXFLAGS ?? ''} ${FLAGS}`.trim() }, stdio: ['ignore', 'ignore', 'pipe'] });
  const built = path.join(scratch, 'build', 'Release', 'addon.node');
  if (r.status !== 0 || !fs.existsSync(built)) {
    fs.rmSync(scratch, { recursive: true, force: true });
    return log(`SIMD build failed (status ${r.status}); keeping the portable build\n${String(r.stderr).slice(-600)}`);
  }
  try {
    execFileSync(process.execPath, ['-e', `const h=require(${JSON.stringify(built)});const i=new h.HierarchicalNSW('l2',16);i.initIndex(4);for(let k=0;k<4;k++)i.addPoint(Array.from({length:16},(_,d)=>d*k),k);if(i.searchKnn(Array(16).fill(0),1).neighbors[0]!==0)process.exit(3);if(i.addPointsParallel){const j=new h.HierarchicalNSW('l2',16);j.initIndex(200);j.addPointsParallel(Float32Array.from({length:3200},(_,x)=>Math.floor(x/16)+(x%16)),0,2);if(j.getCurrentCount()!==200||j.searchKnn(Array.from({length:16},(_,d)=>137+d),1).neighbors[0]!==137)process.exit(4)}`], { stdio: 'ignore' });
  } catch {
    fs.rmSync(scratch, { recursive: true, force: true });
    return log('the SIMD addon failed its self-test; keeping the portable build');
  }
  const portable = `${addon}.portable`;
  if (!fs.existsSync(portable)) fs.copyFileSync(addon, portable);
  fs.copyFileSync(built, `${addon}.simd-tmp`);
  fs.renameSync(`${addon}.simd-tmp`, addon);
  fs.writeFileSync(path.join(pkgDir, 'build', 'tessera-simd.json'), JSON.stringify({ flags: FLAGS, builtOn: new Date().toISOString() }) + '\n');
  fs.rmSync(scratch, { recursive: true, force: true });
  log(`hnswlib-node rebuilt with ${FLAGS} (portable addon kept as addon.node.portable)`);
}

try {
  main();
} catch (err) {
  log(`skipped: ${err instanceof Error ? err.message : String(err)}`);
}
