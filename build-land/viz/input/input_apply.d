build-land/viz/input/input_apply.o: viz/input/input_apply.c \
 viz/model/findings.h viz/model/view_model.h runtime/model/trace_model.h \
 viz/input/input.h viz/layout/drawlist.h viz/layout/ui.h \
 viz/model/view_model.h viz/layout/layout.h viz/layout/drawlist.h \
 viz/layout/ui.h viz/model/playhead.h viz/layout/theme.h
viz/model/findings.h:
viz/model/view_model.h:
runtime/model/trace_model.h:
viz/input/input.h:
viz/layout/drawlist.h:
viz/layout/ui.h:
viz/model/view_model.h:
viz/layout/layout.h:
viz/layout/drawlist.h:
viz/layout/ui.h:
viz/model/playhead.h:
viz/layout/theme.h:
