import type { Clock } from '../clock.js';
import { createPhiDetector, type PhiDetector } from '../native.js';
import type { NodeHeartbeat } from './node-heartbeat.js';

/** How a node looks from here. */
export const PEER_STATUS = {
  alive: 'alive',
  /** Heartbeats are late: phi passed the suspicion threshold. */
  suspect: 'suspect',
  /** Left gracefully. */
  left: 'left',
} as const;

export type PeerStatus = (typeof PEER_STATUS)[keyof typeof PEER_STATUS];

/** A node of the swarm as seen through its heartbeats. */
export interface Peer {
  node: string;
  status: PeerStatus;
  /** Phi-accrual suspicion (0 = on time; 8 ≈ 1 in 10^8 that it is still alive). */
  phi: number;
  /** Epoch millis of the last heartbeat received. */
  lastSeen: number;
  heartbeat: NodeHeartbeat;
}

/** Options of {@link PeerView}. */
export interface PeerViewOptions {
  clock: Clock;
  /** Phi above which a node is suspect; default 8 (Akka's default). */
  suspectPhi?: number;
  /** Silence after which a suspect node is forgotten, in millis; default 60000. */
  forgetAfterMs?: number;
}

/**
 * The swarm's nodes as seen from this process: every heartbeat feeds a native phi-accrual
 * detector, and the whole set is scored in one native call.
 */
export class PeerView {
  private readonly peers = new Map<string, { heartbeat: NodeHeartbeat; lastSeen: number; left: boolean }>();
  private readonly detector: PhiDetector;
  private suspectPhi: number;
  private readonly forgetAfterMs: number;

  constructor(private readonly options: PeerViewOptions) {
    this.detector = createPhiDetector({ minStdDevMs: 100, acceptablePauseMs: 1000 });
    this.suspectPhi = options.suspectPhi ?? 8;
    this.forgetAfterMs = options.forgetAfterMs ?? 60_000;
  }

  /** Changes the suspicion threshold, live. */
  setSuspectPhi(phi: number): void {
    this.suspectPhi = phi;
  }

  /** Records a heartbeat. */
  observe(hb: NodeHeartbeat): void {
    const now = this.options.clock.now();
    if (hb.leaving) {
      this.detector.remove(hb.node);
      this.peers.set(hb.node, { heartbeat: hb, lastSeen: now, left: true });
      return;
    }
    this.detector.heartbeat(hb.node, now);
    this.peers.set(hb.node, { heartbeat: hb, lastSeen: now, left: false });
  }

  /** True when `node` is known and live here, in its process that started at `startedAt`. */
  knows(node: string, startedAt: number): boolean {
    const p = this.peers.get(node);
    return p !== undefined && !p.left && p.heartbeat.startedAt === startedAt;
  }

  /** Every known node with its current suspicion. */
  list(): Peer[] {
    const now = this.options.clock.now();
    const scores = this.detector.phiAll(now);
    const phiByNode = new Map<string, number>();
    for (let i = 0; i < scores.keys.length; i++) phiByNode.set(scores.keys[i] as string, scores.phi[i] ?? 0);
    const out: Peer[] = [];
    for (const [node, p] of this.peers) {
      if (now - p.lastSeen > this.forgetAfterMs) {
        this.peers.delete(node);
        this.detector.remove(node);
        continue;
      }
      const phi = phiByNode.get(node) ?? 0;
      const status = p.left ? PEER_STATUS.left : phi >= this.suspectPhi ? PEER_STATUS.suspect : PEER_STATUS.alive;
      out.push({ node, status, phi: Math.round(phi * 100) / 100, lastSeen: p.lastSeen, heartbeat: p.heartbeat });
    }
    return out.sort((a, b) => a.node.localeCompare(b.node));
  }

  /** The nodes that are alive now. */
  alive(): Peer[] {
    return this.list().filter((p) => p.status === PEER_STATUS.alive);
  }
}
