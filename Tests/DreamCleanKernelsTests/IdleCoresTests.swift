// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import Foundation
import Synchronization
import XCTest
@testable import DreamCleanKernels

final class IdleCoresTests: XCTestCase {
    private var online: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// One core (or a nonsense count) is one thread: there is nothing to give up.
    func testOneCoreIsOneThread() {
        XCTAssertEqual(IdleCores.count(of: 1), 1)
        XCTAssertEqual(IdleCores.count(of: 0), 1)
    }

    /// A count for fewer cores than the machine has online says nothing about them: the team stays as asked.
    func testFewerCoresThanOnlineAreLeftAlone() throws {
        try XCTSkipIf(online < 3, "needs 3 or more online CPUs (\(online) here)")
        XCTAssertEqual(IdleCores.count(of: online - 1), online - 1)
    }

    /// A thread of this process spinning is counted as this process's own, beside the test's thread.
    func testOwnSpinningThreadIsOwn() throws {
        let stop = Atomic<Bool>(false)
        let spinner = Thread { while !stop.load(ordering: .relaxed) {} }
        spinner.start()
        defer { stop.store(true, ordering: .relaxed) }
        Thread.sleep(forTimeInterval: 0.05)
        let own = try XCTUnwrap(IdleCores.ownRunnableThreads())
        XCTAssertGreaterThanOrEqual(own, 2, "this thread and the spinner are runnable")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(IdleCores.runnableThreads()), own)
    }

    /// A busy process elsewhere takes a core from the team.
    func testBusyProcessTakesACore() throws {
        try XCTSkipIf(online < 2, "needs 2 or more online CPUs (\(online) here)")
        let busy = Process()
        busy.executableURL = URL(fileURLWithPath: "/bin/sh")
        busy.arguments = ["-c", "while :; do :; done"]
        try busy.run()
        defer { busy.terminate(); busy.waitUntilExit() }
        Thread.sleep(forTimeInterval: 0.2)
        // The busy loop is runnable at every reading: the largest of a few must see it too.
        let team = (0..<5).map { _ in IdleCores.count(of: online) }.max() ?? online
        XCTAssertLessThanOrEqual(team, online - 1)
        XCTAssertGreaterThanOrEqual(team, 1)
    }
}
