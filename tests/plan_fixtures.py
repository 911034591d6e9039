"""A small hand-made plan and unit for storage tests (independent of the real seed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gongkai_desktop.model import (
    Area,
    Deadline,
    Measure,
    Plan,
    PlanInfo,
    Subtask,
    Unit,
    UnitType,
)
from gongkai_desktop.storage import Workspace

TEST_PLAN = Plan(
    PlanInfo("test-plan", "测试任务分工", "渝府办发〔2020〕89号", dt.date(2020, 7, 13),
             "重庆市人民政府办公厅"),
    (
        Area("1", 1, "一", "围绕助力做好“六稳”“六保”工作加强政务公开", (
            Subtask("1.1", 1, "（一）", "加强惠企政策公开", (
                Measure("1.1.1", 1, "1．",
                        "集中梳理公开惠企政策措施，打造惠企政策“不打烊”服务平台。",
                        ("市政府办公厅",), ("市政府各部门",)),
                Measure("1.1.2", 2, "2．", "做好涉企政策解读和舆情回应，2020年10月30日前完成。",
                        ("市发展改革委",), ("各区县政府",), Deadline(dt.date(2020, 10, 30))),
            )),
            Subtask("1.2", 2, "（二）", "加强就业信息公开", (
                Measure("1.2.1", 1, "", "及时发布稳就业政策和招聘信息。",
                        ("市人力社保局",), ()),
            )),
        )),
        Area("2", 2, "二", "加强基层政务公开标准化规范化", (
            Subtask("2.1", 1, "（一）", "推进基层政务公开标准化", (
                Measure("2.1.1", 1, "1．", "编制完善乡镇（街道）政务公开事项目录。",
                        ("市政府办公厅",), ("各区县政府",)),
                Measure("2.1.2", 2, "2．", "推动政务公开专区建设，方便企业群众查阅。",
                        ("市政府办公厅",), ("全市各级行政机关",)),
            )),
        )),
    ),
)

TEST_UNIT = Unit("500101", "万州区", "重庆市万州区人民政府", UnitType.DISTRICT)




def make_workspace(path: Path) -> Workspace:
    return Workspace.create(path, TEST_PLAN, TEST_UNIT, officer="张三", contact="李四",
                            phone="023-12345678", actor="张三")
