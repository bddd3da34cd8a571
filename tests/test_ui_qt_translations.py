"""Issue 14, item 13: Qt's own dialogs speak Chinese in zh_CN, including the file dialog's
"Look in" and "Files of type" that Qt 6 asks for with a mnemonic the shipped catalog lacks."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QFileDialog, QLabel, QMessageBox

from crmdesk.ui.qt_translations import install_qt_translations, with_mnemonic


@pytest.fixture
def chinese_qt(qapp):
    translators = install_qt_translations(qapp, "zh_CN")
    yield translators
    for translator in translators:
        qapp.removeTranslator(translator)
    install_qt_translations(qapp, "en")


def test_the_file_dialog_is_chinese(qtbot, chinese_qt, tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "客户.csv").write_text("a,b\n", encoding="utf-8")
    dialog = QFileDialog(None, "导出", str(tmp_path), "CSV (*.csv)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.wait(200)
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
    assert "查找范围(&L)：" in labels
    assert "文件类型(&T)：" in labels
    assert "文件名称(&N)：" in labels
    assert not [text for text in labels if re.search(r"[A-Za-z]{2,}", text)], labels  # no English word
    buttons = {b.text() for b in dialog.findChildren(QAbstractButton) if b.text()}
    assert {"保存(&S)", "取消"} <= buttons
    tips = {b.toolTip() for b in dialog.findChildren(QAbstractButton) if b.toolTip()}
    assert {"后退", "新建文件夹", "详情视图"} <= tips
    assert QCoreApplication.translate("QAbstractFileIconProvider", "Folder") == "文件夹"


def test_button_boxes_and_message_boxes_are_chinese(qtbot, chinese_qt):
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close | QDialogButtonBox.StandardButton.Cancel
                           | QDialogButtonBox.StandardButton.Save)
    qtbot.addWidget(box)
    assert sorted(b.text() for b in box.buttons()) == sorted(["关闭", "取消", "保存"])
    message = QMessageBox(QMessageBox.Icon.Question, "删除", "删除这个客户？",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    qtbot.addWidget(message)
    assert sorted(b.text() for b in message.buttons()) == sorted(["是(&Y)", "否(&N)"])


def test_texts_no_catalog_knows_stay_as_they_are(chinese_qt):
    assert QCoreApplication.translate("Nowhere", "&Nothing like this:") == "&Nothing like this:"
    assert QCoreApplication.translate("Nowhere", "plain") == "plain"
    assert QCoreApplication.translate("QDialogButtonBox", "Close") == "Close"  # not blanked


def test_the_shortcut_goes_back_the_chinese_way():
    assert with_mnemonic("查找范围：", "&Look in:") == "查找范围(&L)："
    assert with_mnemonic("文件类型：", "Files of &type:") == "文件类型(&T)："
    assert with_mnemonic("新建文件夹", "&New Folder") == "新建文件夹(&N)"
    assert with_mnemonic("打开(&O)", "&Open") == "打开(&O)"
    assert with_mnemonic("关闭", "Close") == "关闭"
