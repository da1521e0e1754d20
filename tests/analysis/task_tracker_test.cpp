// Tasks as Go's summariser keeps them, on a synthetic stream: created on their first mention
// (begin, end, log, region, or a child naming them), the parent set once, goroutines as a set,
// logs in order, task 0 like any other.
#include <catch2/catch_test_macros.hpp>

#include <string>
#include <vector>

#include "analysis/user_tasks.hpp"
#include "support/synthetic_events.hpp"

using namespace gtanalyze;
using namespace gtanalyze::analysis;

namespace {

const test::Tables tables({"", "request", "stage", "id", "42"});

Event ev(EventType t, Time time, GoId g, std::array<std::uint64_t, 4> args) {
  return test::event(tables, t, time, g, kNoProc, args);
}

}  // namespace

TEST_CASE("tasks are made on first mention, their parent set once, their goroutines a set") {
  TaskTracker t;
  t.on_task(ev(EventType::UserTaskBegin, 10, 1, {5, 4, 2, 0}));  // task 5 "stage", parent 4
  REQUIRE(t.find(4) != nullptr);                                 // the parent exists from now on
  CHECK(t.find(4)->name.empty());
  CHECK_FALSE(t.find(4)->start.has_value());
  t.on_task(ev(EventType::UserTaskBegin, 5, 1, {4, kNoTask, 1, 0}));  // task 4 "request", no parent
  t.on_task(ev(EventType::UserTaskBegin, 20, 2, {5, 9, 2, 0}));       // names another parent: ignored
  t.on_log(ev(EventType::UserLog, 30, 3, {5, 3, 4, 0}));              // "id" = "42"
  t.on_log(ev(EventType::UserLog, 31, 3, {0, 0, 4, 0}));              // no task, no category
  t.on_region(7, 2);                                                  // a region in task 7
  t.on_region(7, 2);
  CHECK(t.find(8) == nullptr);

  const std::vector<TaskSummary> tasks = t.finish();
  std::vector<TaskId> ids;
  for (const TaskSummary& task : tasks) ids.push_back(task.id);
  CHECK(ids == std::vector<TaskId>{0, 4, 5, 7});
  const TaskSummary& stage = tasks[2];
  CHECK(stage.name == "stage");
  CHECK(stage.parent == 4);
  CHECK(stage.start == Time{20});  // the latest begin, as Go keeps it
  CHECK_FALSE(stage.complete());
  CHECK(stage.goroutines == std::vector<GoId>{1, 2, 3});
  REQUIRE(stage.logs.size() == 1);
  CHECK(stage.logs[0].category == "id");
  CHECK(stage.logs[0].message == "42");
  CHECK(stage.duration(1, 100) == 80);  // a missing end is the trace's last event
  CHECK(tasks[1].name == "request");
  CHECK(tasks[1].parent == 0);
  CHECK(tasks[0].logs.size() == 1);
  CHECK(tasks[0].logs[0].category.empty());
  CHECK(tasks[3].regions == 2);
  CHECK(tasks[3].goroutines == std::vector<GoId>{2});
  CHECK(t.find(5) == nullptr);  // finish() empties the tracker
}

TEST_CASE("dropping logs keeps what they say of tasks and goroutines, not their text") {
  TaskTracker t;
  t.drop_logs();
  t.on_log(ev(EventType::UserLog, 30, 3, {5, 3, 4, 0}));  // in task 5, first mentioned here
  const std::vector<TaskSummary> tasks = t.finish();
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0].id == 5);
  CHECK(tasks[0].goroutines == std::vector<GoId>{3});
  CHECK(tasks[0].logs.empty());
}
