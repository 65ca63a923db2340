"""The column and reason wording the weekly report, its workbook and `campaign show` share."""

from __future__ import annotations

CRITERIA_COLUMNS = (("correct", "Đúng"), ("complete", "Đủ"), ("clean", "Sạch"), ("live", "Sống"),
                    ("unified", "Thống nhất"), ("shared", "Dùng chung"), ("overall", "Đạt cả 5"))
LAGGING_VI = {"forecast_below_target": "dự báo không đạt chỉ tiêu đúng hạn",
              "no_submission": "không gửi dữ liệu"}
OUTLOOK_VI = {"on_track": "kịp tiến độ", "at_risk": "có nguy cơ chậm", "will_miss": "sẽ không kịp hạn"}
